using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Turnpike.Edge.Proxy.Http1;

/// <summary>
/// An upstream's status line and header fields (RFC 9112 section 4 and 5), parsed into a response message, and what they
/// say about the body's framing and the connection. Anything malformed is refused with an
/// <see cref="HttpRequestException"/>: a 502 for the client, counted against the upstream that sent it.
/// </summary>
internal readonly record struct Http1ResponseHead(int Status, bool Http10, long? ContentLength, bool Chunked, bool TransferEncoding, bool Close, bool KeepAlive)
{
    /// <summary>The most an upstream's head (or a chunked body's trailers) may take, as <see cref="SocketsHttpHandler"/>'s default.</summary>
    public const int MaxBytes = 64 * 1024;

    // Names most answers carry, so their text is not made again for every answer.
    private static readonly string[] KnownNames =
    [
        "Content-Type", "Content-Length", "Date", "Server", "Connection", "Transfer-Encoding", "Cache-Control", "ETag",
        "Last-Modified", "Vary", "Keep-Alive", "Location", "Set-Cookie", "Expires", "Content-Encoding", "Accept-Ranges",
        "Age", "Access-Control-Allow-Origin", "X-Powered-By", "Trailer",
    ];

    private static readonly SearchValues<byte> NotToken = SearchValues.Create(
        Enumerable.Range(0, 256).Select(b => (byte)b).Where(b => !(char.IsAsciiLetterOrDigit((char)b) || "!#$%&'*+-.^_`|~"u8.Contains(b))).ToArray());

    // Control characters other than HTAB, and DEL: never in a field value (RFC 9110 section 5.5).
    private static readonly SearchValues<byte> NotFieldText = SearchValues.Create(
        Enumerable.Range(0, 32).Where(b => b != '\t').Select(b => (byte)b).Append((byte)0x7F).ToArray());

    /// <summary>How long the head at the start of <paramref name="data"/> is, through its empty line; -1 while it is not all there.</summary>
    public static int Length(ReadOnlySpan<byte> data)
    {
        var offset = 0;
        while (true)
        {
            var newline = data[offset..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                return -1;
            }

            var empty = newline == 0 || (newline == 1 && data[offset] == '\r');
            if (empty && offset == 0)
            {
                throw Invalid("an empty line where its status line belongs");
            }

            offset += newline + 1;
            if (empty)
            {
                return offset;
            }
        }
    }

    /// <summary>Parses <paramref name="head"/> (as <see cref="Length"/> measured it) into <paramref name="response"/>, its headers and its content's.</summary>
    public static Http1ResponseHead Parse(ReadOnlySpan<byte> head, HttpResponseMessage response, HttpContent content)
    {
        var lineEnd = head.IndexOf((byte)'\n');
        var (status, http10) = ParseStatusLine(TrimCr(head[..lineEnd]), response);
        long? contentLength = null;
        bool chunked = false, transferEncoding = false, close = false, keepAlive = false;
        var rest = head[(lineEnd + 1)..];
        while (true)
        {
            var newline = rest.IndexOf((byte)'\n');
            var line = TrimCr(rest[..newline]);
            rest = rest[(newline + 1)..];
            if (line.IsEmpty)
            {
                break;
            }

            var (name, value) = ParseField(line);
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                var length = ParseContentLength(value);
                if (contentLength is { } seen && seen != length)
                {
                    throw Invalid("two different Content-Length values");
                }

                contentLength = length;
                continue; // added below, once, unless the body is chunked
            }

            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                transferEncoding = true;
                chunked = LastCoding(value).Equals("chunked", StringComparison.OrdinalIgnoreCase);
            }
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                close |= HasToken(value, "close");
                keepAlive |= HasToken(value, "keep-alive");
            }

            if (!response.Headers.TryAddWithoutValidation(name, value))
            {
                content.Headers.TryAddWithoutValidation(name, value); // Content-Type, Expires, Last-Modified...
            }
        }

        if (transferEncoding)
        {
            // With Transfer-Encoding, a Content-Length is ignored (RFC 9112 section 6.3) and the connection is not reused:
            // the pair is how responses are smuggled.
            close |= contentLength is not null;
            contentLength = null;
        }
        else if (contentLength is { } length)
        {
            content.Headers.ContentLength = length;
        }

        return new Http1ResponseHead(status, http10, contentLength, chunked, transferEncoding, close, keepAlive);
    }

    /// <summary>A chunked body's trailer fields, after its last chunk, onto the response's trailing headers.</summary>
    public static void ParseTrailer(ReadOnlySpan<byte> line, HttpResponseMessage response)
    {
        var (name, value) = ParseField(line);
        response.TrailingHeaders.TryAddWithoutValidation(name, value);
    }

    /// <summary>Whether the connection may carry the next request once this answer's body is read (and the body has an end of its own).</summary>
    public bool KeepsConnection => !Close && (!Http10 || KeepAlive);

    private static (int Status, bool Http10) ParseStatusLine(ReadOnlySpan<byte> line, HttpResponseMessage response)
    {
        // HTTP/1.x SP 3DIGIT SP [reason]
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[8] != ' ' || (line.Length > 12 && line[12] != ' ')
            || !Utf8Parser.TryParse(line.Slice(9, 3), out int status, out var digits) || digits != 3 || status < 100)
        {
            throw Invalid("a malformed status line");
        }

        var http10 = line[7] switch
        {
            (byte)'1' => false,
            (byte)'0' => true,
            _ => throw Invalid("an HTTP version other than 1.0 and 1.1"),
        };
        response.StatusCode = (HttpStatusCode)status;
        response.Version = http10 ? HttpVersion.Version10 : HttpVersion.Version11;
        var reason = line.Length > 13 ? line[13..] : [];
        if (reason.ContainsAny(NotFieldText))
        {
            throw Invalid("a control character in the status line");
        }

        var known = ReasonPhrases.GetReasonPhrase(status);
        response.ReasonPhrase = Ascii.Equals(reason, known) ? known : Encoding.Latin1.GetString(reason);
        return (status, http10);
    }

    private static (string Name, string Value) ParseField(ReadOnlySpan<byte> line)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0 || line[..colon].ContainsAny(NotToken))
        {
            // Also a line folded onto the one before (obs-fold), which RFC 9112 lets a client refuse.
            throw Invalid("a malformed header line");
        }

        var value = line[(colon + 1)..].Trim(" \t"u8);
        if (value.ContainsAny(NotFieldText))
        {
            throw Invalid("a control character in a header value");
        }

        return (Name(line[..colon]), Encoding.Latin1.GetString(value));
    }

    private static string Name(ReadOnlySpan<byte> name)
    {
        foreach (var known in KnownNames)
        {
            if (Ascii.EqualsIgnoreCase(name, known))
            {
                return known;
            }
        }

        return Encoding.Latin1.GetString(name);
    }

    private static long ParseContentLength(string value)
    {
        // Digits only: no sign, no spaces, no list (RFC 9110 section 8.6; a list of equal values is refused too).
        if (value.Length is 0 or > 18 || value.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            throw Invalid("an invalid Content-Length");
        }

        return long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static ReadOnlySpan<char> LastCoding(string value)
    {
        var comma = value.LastIndexOf(',');
        return value.AsSpan(comma + 1).Trim(" \t");
    }

    private static bool HasToken(string value, string token)
    {
        foreach (var part in value.AsSpan().Split(','))
        {
            if (value.AsSpan()[part].Trim(" \t").Equals(token, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) => line.EndsWith("\r"u8) ? line[..^1] : line;

    public static HttpRequestException Invalid(string what) =>
        new(HttpRequestError.InvalidResponse, $"The upstream's answer had {what}.");
}
