using System.Buffers;
using System.Text;

namespace Turnpike.Edge.Proxy;

/// <summary>
/// Text from a client or an admin made fit for a header value or a log line: printable ASCII (and tab) stays as it
/// is; anything else — CR, LF, NUL, other controls, non-ASCII — is percent-encoded as UTF-8, so the text can never
/// end a line, start a forged one, or break the bytes of a request.
/// </summary>
internal static class PrintableText
{
    private static readonly SearchValues<char> Printable = SearchValues.Create(
        "\t !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    private const string Hex = "0123456789ABCDEF";

    /// <summary>Unchanged when already printable (one vectorised scan, no copy); otherwise escaped.</summary>
    public static string Escape(string value)
    {
        var first = value.AsSpan().IndexOfAnyExcept(Printable);
        if (first < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 16).Append(value.AsSpan(0, first));
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = first; i < value.Length; i++)
        {
            var c = value[i];
            if (Printable.Contains(c))
            {
                builder.Append(c);
                continue;
            }

            var length = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])
                ? Encoding.UTF8.GetBytes(value.AsSpan(i++, 2), utf8)
                : Encoding.UTF8.GetBytes(value.AsSpan(i, 1), utf8);
            foreach (var b in utf8[..length])
            {
                builder.Append('%').Append(Hex[b >> 4]).Append(Hex[b & 0xF]);
            }
        }

        return builder.ToString();
    }
}
