using System.Buffers;
using System.Text;
using Turnpike.Edge.Observability.Logging;

namespace Turnpike.Edge.Proxy.Http1;

/// <summary>How a request's body goes on the wire.</summary>
internal enum Http1BodyFraming
{
    None,
    ContentLength,
    Chunked,
}

/// <summary>
/// Writes a request's line and header fields as HTTP/1.1 (RFC 9112 section 3), the bytes of each value as Kestrel read
/// them (Latin-1, obs-text passes through as nginx passes it). The body's framing is the handler's own: a client's
/// <c>Transfer-Encoding</c> or <c>Content-Length</c> never reaches the upstream beside it. A value with CR, LF or NUL
/// is refused, whoever built it: no header line can ever be split.
/// </summary>
internal static class Http1RequestHead
{
    private static readonly SearchValues<char> LineBreaking = SearchValues.Create("\r\n\0");

    /// <summary>Writes the head into <paramref name="head"/>; returns the body's framing and, with Content-Length, its length.</summary>
    public static (Http1BodyFraming Framing, long Length) Write(HttpRequestMessage request, PooledBufferWriter head)
    {
        var uri = request.RequestUri!;
        Append(head, request.Method.Method);
        Append(head, " ");
        Append(head, uri.PathAndQuery); // escaped as the edge built it: nothing is escaped twice
        Append(head, " HTTP/1.1\r\nHost: ");
        var headers = request.Headers.NonValidated;
        Append(head, headers.TryGetValues("Host", out var host) ? Checked(host.ToString()) : Authority(uri));
        Append(head, "\r\n");
        foreach (var (name, values) in headers)
        {
            if (!name.Equals("Host", StringComparison.OrdinalIgnoreCase) && !IsFraming(name))
            {
                Field(head, name, values.ToString());
            }
        }

        var (framing, length) = (Http1BodyFraming.None, 0L);
        if (request.Content is { } content)
        {
            foreach (var (name, values) in content.Headers.NonValidated)
            {
                if (!IsFraming(name))
                {
                    Field(head, name, values.ToString());
                }
            }

            (framing, length) = content.Headers.ContentLength is { } known ? (Http1BodyFraming.ContentLength, known) : (Http1BodyFraming.Chunked, 0);
            Append(head, framing == Http1BodyFraming.Chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {length}\r\n");
        }
        else if (request.Method == HttpMethod.Post || request.Method == HttpMethod.Put || request.Method == HttpMethod.Patch)
        {
            Append(head, "Content-Length: 0\r\n"); // as SocketsHttpHandler: servers may refuse a POST that says nothing of its body (411)
        }

        Append(head, "\r\n");
        return (framing, length);
    }

    private static bool IsFraming(string name) =>
        name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase);

    private static void Field(PooledBufferWriter head, string name, string value)
    {
        Append(head, name);
        Append(head, ": ");
        Append(head, Checked(value));
        Append(head, "\r\n");
    }

    private static string Checked(string value) =>
        value.AsSpan().ContainsAny(LineBreaking) ? throw new HttpRequestException("A request header value holds CR, LF or NUL: not sent.") : value;

    private static string Authority(Uri uri)
    {
        var host = uri.HostNameType == UriHostNameType.IPv6 ? $"[{uri.IdnHost}]" : uri.IdnHost;
        return uri.IsDefaultPort ? host : $"{host}:{uri.Port}";
    }

    private static void Append(PooledBufferWriter head, string text)
    {
        var written = Encoding.Latin1.GetBytes(text, head.GetSpan(text.Length));
        head.Advance(written);
    }
}
