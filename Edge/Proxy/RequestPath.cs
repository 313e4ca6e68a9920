using System.Buffers;
using System.Text;

namespace Turnpike.Edge.Proxy;

/// <summary>
/// The client's path in the two forms the proxy needs, derived from the request line by one rule:
/// <list type="number">
/// <item>Percent-escapes are decoded for meaning, except <c>%2F</c>, which stays an escaped character inside its
/// segment (never a separator), as Kestrel keeps it.</item>
/// <item>Dot segments (<c>.</c>, <c>..</c>, also escaped as <c>%2E</c>) are removed (RFC 3986 5.2.4) and empty
/// segments merged (<c>//a</c> is <c>/a</c>, as nginx's <c>merge_slashes</c>); a trailing slash is kept.</item>
/// <item>A segment whose escaped slashes or backslashes would hide a dot segment (<c>..%2F</c>, <c>%5C..</c>), or
/// that is a dot segment with path parameters (<c>..;x</c>, <c>%2E%2E;</c>, which Tomcat and Jetty read as <c>..</c>),
/// is refused: an upstream that reads it so would walk out of the route the gateway authorised.</item>
/// </list>
/// <see cref="Canonical"/> is that path decoded (what routes and plugins match against); <see cref="Encoded"/>
/// is the same path with the client's own escapes kept and every character that may not stand in a path
/// escaped, so the upstream receives exactly the path the route matched, as ASCII without CR, LF or NUL.
/// </summary>
internal readonly struct RequestPath
{
    // RFC 3986 pchar without '%' (an escape is checked on its own), plus '/' between segments.
    private static readonly SearchValues<char> Literal = SearchValues.Create(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/");

    private static readonly SearchValues<char> NeedsWork = SearchValues.Create("%./\\");

    private readonly Segment[]? _segments;

    private RequestPath(string canonical, string encoded, Segment[]? segments)
    {
        Canonical = canonical;
        Encoded = encoded;
        _segments = segments;
    }

    /// <summary>Decoded, normalised: routes match it and plugins read it (set as the request's <c>Path</c>).</summary>
    public string Canonical { get; }

    /// <summary>The same path as the upstream gets it: the client's escapes kept, nothing unsafe left literal.</summary>
    public string Encoded { get; }

    /// <summary>
    /// Parses the path part of an origin-form request target. Null when the path is refused (an invalid
    /// escape, bytes that are not UTF-8, a NUL, or a dot segment hidden behind an escaped slash): a 400.
    /// </summary>
    /// <param name="raw">The path as the request line has it.</param>
    /// <param name="decoded">The server's decoded path, reused (no copy) when it is the same text.</param>
    public static RequestPath? Parse(ReadOnlySpan<char> raw, string? decoded = null)
    {
        if (raw.IsEmpty || raw[0] != '/')
        {
            return null;
        }

        // The common path: nothing escaped, no dot or empty segment, nothing to escape. Two scans, no allocation.
        if (raw.IndexOfAnyExcept(Literal) < 0 && !HasDotOrEmptySegment(raw))
        {
            var text = decoded is not null && raw.SequenceEqual(decoded) ? decoded : raw.ToString();
            return new RequestPath(text, text, null);
        }

        // Only the last segment decides the trailing slash: "/a/b/", "/a/." and "/a/b/.." end with one, "/a//b" does not.
        var kept = new List<Segment>();
        var trailingSlash = false;
        foreach (var range in raw[1..].Split('/'))
        {
            var rawSegment = raw[1..][range];
            if (Segment.Parse(rawSegment) is not { } segment)
            {
                return null;
            }

            trailingSlash = segment.Decoded is "" or "." or "..";
            if (segment.Decoded == "..")
            {
                if (kept.Count > 0)
                {
                    kept.RemoveAt(kept.Count - 1);
                }
            }
            else if (!trailingSlash)
            {
                if (segment.HidesDotSegment)
                {
                    return null;
                }

                kept.Add(segment);
            }
        }

        var canonical = new StringBuilder(raw.Length);
        var encoded = new StringBuilder(raw.Length + 8);
        foreach (var segment in kept)
        {
            canonical.Append('/').Append(segment.Decoded);
            encoded.Append('/').Append(segment.Encoded);
        }

        if (trailingSlash || kept.Count == 0)
        {
            canonical.Append('/');
            encoded.Append('/');
        }

        return new RequestPath(canonical.ToString(), encoded.ToString(), [.. kept]);
    }

    /// <summary>How many characters of <see cref="Encoded"/> stand for the first <paramref name="canonicalLength"/> of <see cref="Canonical"/>.</summary>
    public int EncodedLength(int canonicalLength)
    {
        if (_segments is null || canonicalLength <= 0)
        {
            return Math.Max(canonicalLength, 0);
        }

        var canonical = 0;
        var encoded = 0;
        foreach (var segment in _segments)
        {
            if (canonicalLength <= canonical)
            {
                return encoded;
            }

            canonical++; // the '/' before the segment
            encoded++;
            var left = canonicalLength - canonical;
            if (left < segment.Decoded.Length)
            {
                return encoded + segment.EncodedLength(left);
            }

            canonical += segment.Decoded.Length;
            encoded += segment.Encoded.Length;
        }

        return Math.Min(Encoded.Length, encoded + (canonicalLength - canonical));
    }

    /// <summary>Escapes what may not stand literally in a path (an admin's service path, a rewritten URI); valid escapes are kept.</summary>
    public static string EscapeUnsafe(string path)
    {
        var first = path.AsSpan().IndexOfAnyExcept(Literal);
        if (first < 0)
        {
            return path;
        }

        var builder = new StringBuilder(path.Length + 16).Append(path.AsSpan(0, first));
        for (var i = first; i < path.Length; i++)
        {
            var c = path[i];
            if (Literal.Contains(c) || (c == '%' && i + 2 < path.Length && IsHex(path[i + 1]) && IsHex(path[i + 2])))
            {
                builder.Append(c);
            }
            else
            {
                AppendEscaped(builder, path, ref i);
            }
        }

        return builder.ToString();
    }

    private static bool HasDotOrEmptySegment(ReadOnlySpan<char> raw)
    {
        for (var i = raw.IndexOfAny(NeedsWork); i >= 0 && i < raw.Length; i++)
        {
            if (raw[i] != '/')
            {
                continue;
            }

            var next = raw[(i + 1)..];
            if (next.StartsWith("/") || next is "." or ".." || next.StartsWith("./") || next.StartsWith("../") || next.StartsWith(".;") || next.StartsWith("..;"))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    /// <summary>Appends the UTF-8 escapes of the character at <paramref name="i"/> (a surrogate pair moves <paramref name="i"/> on).</summary>
    private static void AppendEscaped(StringBuilder builder, string text, ref int i)
    {
        Span<byte> bytes = stackalloc byte[4];
        var length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])
            ? Encoding.UTF8.GetBytes(text.AsSpan(i++, 2), bytes)
            : Encoding.UTF8.GetBytes(text.AsSpan(i, 1), bytes);
        foreach (var b in bytes[..length])
        {
            builder.Append('%').Append(HexUpper[b >> 4]).Append(HexUpper[b & 0xF]);
        }
    }

    private const string HexUpper = "0123456789ABCDEF";

    /// <summary>One segment: its decoded text (an escaped slash kept as <c>%2F</c>) and its escaped form, char by char.</summary>
    private sealed class Segment(string decoded, string encoded, int[]? encodedOffsets, bool hidesDotSegment)
    {
        public string Decoded { get; } = decoded;

        public string Encoded { get; } = encoded;

        public bool HidesDotSegment { get; } = hidesDotSegment;

        public int EncodedLength(int decodedLength) => encodedOffsets is null ? decodedLength : encodedOffsets[decodedLength];

        public static Segment? Parse(ReadOnlySpan<char> raw)
        {
            if (raw.IndexOfAnyExcept(Literal) < 0)
            {
                var text = raw.ToString();
                return new Segment(text, text, null, Hides(text));
            }

            // Decode escapes into bytes (keeping %2F as the three characters), then UTF-8; the escaped form keeps
            // each valid escape as the client wrote it and escapes anything else not allowed literally.
            var bytes = new List<byte>(raw.Length);
            var byteEncodedStart = new List<int>(raw.Length); // per decoded byte: where its text starts in the escaped form
            var encoded = new StringBuilder(raw.Length + 8);
            Span<byte> utf8 = stackalloc byte[4];
            for (var i = 0; i < raw.Length; i++)
            {
                var c = raw[i];
                if (c == '%')
                {
                    if (i + 2 >= raw.Length || !IsHex(raw[i + 1]) || !IsHex(raw[i + 2]))
                    {
                        return null;
                    }

                    var value = (byte)Convert.ToInt32(raw.Slice(i + 1, 2).ToString(), 16);
                    if (value == 0)
                    {
                        return null;
                    }

                    var start = encoded.Length;
                    encoded.Append('%').Append(char.ToUpperInvariant(raw[i + 1])).Append(char.ToUpperInvariant(raw[i + 2]));
                    if (value == '/')
                    {
                        foreach (var literal in "%2F"u8)
                        {
                            bytes.Add(literal);
                            byteEncodedStart.Add(start);
                        }
                    }
                    else
                    {
                        bytes.Add(value);
                        byteEncodedStart.Add(start);
                    }

                    i += 2;
                    continue;
                }

                if (c == '\0')
                {
                    return null;
                }

                var here = encoded.Length;
                if (Literal.Contains(c))
                {
                    encoded.Append(c);
                }
                else
                {
                    var text = c.ToString();
                    var index = 0;
                    AppendEscaped(encoded, text, ref index);
                }

                foreach (var b in utf8[..Encoding.UTF8.GetBytes([c], utf8)])
                {
                    bytes.Add(b);
                    byteEncodedStart.Add(here);
                }
            }

            string decoded;
            try
            {
                decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString([.. bytes]);
            }
            catch (DecoderFallbackException)
            {
                return null;
            }

            // Map each decoded char to where it starts in the escaped form, walking the UTF-8 bytes.
            var offsets = new int[decoded.Length + 1];
            var byteIndex = 0;
            for (var ci = 0; ci < decoded.Length; ci++)
            {
                offsets[ci] = byteEncodedStart[byteIndex];
                var rune = char.IsHighSurrogate(decoded[ci]) ? 4 : Encoding.UTF8.GetByteCount(decoded.AsSpan(ci, 1));
                if (rune == 4)
                {
                    offsets[++ci] = byteEncodedStart[byteIndex];
                }

                byteIndex += rune;
            }

            offsets[decoded.Length] = encoded.Length;
            return new Segment(decoded, encoded.ToString(), offsets, Hides(decoded));
        }

        /// <summary>True when a decoded segment hides a dot segment behind an escaped slash, a backslash or a path parameter.</summary>
        private static bool Hides(string decoded)
        {
            if (!decoded.Contains("%2F", StringComparison.Ordinal) && !decoded.Contains('\\', StringComparison.Ordinal) && !decoded.Contains(';', StringComparison.Ordinal))
            {
                return false;
            }

            foreach (var part in decoded.Replace("%2F", "/", StringComparison.Ordinal).Split('/', '\\'))
            {
                var semicolon = part.IndexOf(';', StringComparison.Ordinal);
                if ((semicolon < 0 ? part : part[..semicolon]) is "." or "..")
                {
                    return true;
                }
            }

            return false;
        }
    }
}
