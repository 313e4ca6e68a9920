using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace Turnpike.Bench;

/// <summary>
/// The least a forwarder on Kestrel can do for the benchmark's requests, as a yardstick and nothing more: bodiless
/// requests written with their headers to a pooled keep-alive socket in one send, answers with Content-Length read
/// into one buffer, status and headers copied to Kestrel's response. No chunking, no upgrades, no timeouts, no
/// checks: what it leaves out only makes it cheaper, so a real forwarding path cannot spend less.
/// </summary>
internal sealed class RawForwarder(IPEndPoint origin)
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private readonly ConcurrentBag<OriginConnection> _idle = [];

    public async Task ForwardAsync(HttpContext context)
    {
        if (!_idle.TryTake(out var connection))
        {
            connection = await OriginConnection.OpenAsync(origin);
        }

        var head = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            var length = WriteHead(context.Request, head);
            await connection.Socket.SendAsync(head.AsMemory(0, length), SocketFlags.None, context.RequestAborted);
            await connection.ReadAnswerAsync(context.Response);
            _idle.Add(connection);
        }
        catch (Exception) when (!context.Response.HasStarted)
        {
            connection.Socket.Dispose();
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head);
        }
    }

    private static int WriteHead(HttpRequest request, byte[] buffer)
    {
        var length = Encoding.ASCII.GetBytes($"{request.Method} {request.Path}{request.QueryString} HTTP/1.1\r\n", buffer);
        foreach (var (name, values) in request.Headers)
        {
            if (!string.Equals(name, "Connection", StringComparison.OrdinalIgnoreCase))
            {
                length += Encoding.ASCII.GetBytes(name, buffer.AsSpan(length));
                length += Encoding.ASCII.GetBytes(": ", buffer.AsSpan(length));
                length += Encoding.ASCII.GetBytes(values.ToString(), buffer.AsSpan(length));
                length += Encoding.ASCII.GetBytes("\r\n", buffer.AsSpan(length));
            }
        }

        length += Encoding.ASCII.GetBytes("\r\n", buffer.AsSpan(length));
        return length;
    }

    private sealed class OriginConnection(Socket socket)
    {
        private readonly byte[] _buffer = new byte[16384];

        public Socket Socket { get; } = socket;

        public static async Task<OriginConnection> OpenAsync(IPEndPoint origin)
        {
            var socket = new Socket(origin.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(origin);
            return new OriginConnection(socket);
        }

        public async Task ReadAnswerAsync(HttpResponse response)
        {
            var read = 0;
            int headEnd;
            while ((headEnd = _buffer.AsSpan(0, read).IndexOf(HeaderEnd)) < 0)
            {
                read += await Receive(read);
            }

            var bodyStart = headEnd + HeaderEnd.Length;
            var bodyLength = CopyHead(_buffer.AsSpan(0, headEnd), response);
            while (read < bodyStart + bodyLength)
            {
                read += await Receive(read);
            }

            await response.Body.WriteAsync(_buffer.AsMemory(bodyStart, bodyLength));
        }

        private async ValueTask<int> Receive(int offset)
        {
            var received = await Socket.ReceiveAsync(_buffer.AsMemory(offset), SocketFlags.None);
            return received > 0 ? received : throw new IOException("The origin closed the connection.");
        }

        /// <summary>Status line and headers onto the response; returns the Content-Length.</summary>
        private static int CopyHead(ReadOnlySpan<byte> head, HttpResponse response)
        {
            var lineEnd = head.IndexOf("\r\n"u8);
            var statusLine = lineEnd < 0 ? head : head[..lineEnd];
            response.StatusCode = Utf8Parser.TryParse(statusLine[9..12], out int status, out _) ? status : throw new InvalidOperationException("No status code.");
            response.HttpContext.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = null;
            var bodyLength = -1;
            var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
            while (!rest.IsEmpty)
            {
                var end = rest.IndexOf("\r\n"u8);
                var line = end < 0 ? rest : rest[..end];
                rest = end < 0 ? [] : rest[(end + 2)..];
                var colon = line.IndexOf((byte)':');
                var name = Encoding.ASCII.GetString(line[..colon]);
                var value = Encoding.ASCII.GetString(line[(colon + 1)..].Trim((byte)' '));
                if (string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    bodyLength = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    response.ContentLength = bodyLength;
                }
                else if (!string.Equals(name, "Connection", StringComparison.OrdinalIgnoreCase) && !string.Equals(name, "Keep-Alive", StringComparison.OrdinalIgnoreCase))
                {
                    response.Headers[name] = value;
                }
            }

            return bodyLength >= 0 ? bodyLength : throw new InvalidOperationException("Only answers with Content-Length are forwarded.");
        }
    }
}
