using System.Text;

namespace Turnpike.Edge.Grpc;

/// <summary>
/// The <c>grpc-message</c> encoding (gRPC over HTTP/2, "Percent-Encoded"): the text as UTF-8, every byte outside
/// printable ASCII (0x20–0x7E) and '%' itself written as <c>%XX</c>, upper-case hex. Clients decode it back, so a
/// message can carry any text and never break a header line.
/// </summary>
internal static class GrpcMessage
{
    public static string Encode(string message)
    {
        var plain = true;
        foreach (var c in message)
        {
            if (c is < ' ' or > '~' or '%')
            {
                plain = false;
                break;
            }
        }

        if (plain)
        {
            return message; // the gateway's own messages: nothing to escape, nothing allocated
        }

        var bytes = Encoding.UTF8.GetBytes(message);
        var text = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xF]);
            }
        }

        return text.ToString();
    }

    private const string HexDigits = "0123456789ABCDEF";
}
