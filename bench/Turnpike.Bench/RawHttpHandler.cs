using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Turnpike.Bench;

/// <summary>
/// The least an HTTP handler under YARP's forwarder can do for the benchmark's requests, as a yardstick and nothing
/// more: the request line and headers written to a pooled keep-alive socket in one send, an answer with Content-Length
/// read into one buffer and handed back as a response message. No chunking, upgrades, timeouts or checks; what it
/// leaves out only makes it cheaper, so a handler of our own in place of <see cref="SocketsHttpHandler"/> cannot spend less.
/// </summary>
internal sealed class RawHttpHandler(IPEndPoint origin) : HttpMessageHandler
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private readonly ConcurrentBag<OriginConnection> _idle = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!_idle.TryTake(out var connection))
        {
            connection = await OriginConnection.OpenAsync(origin);
        }

        var head = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            var length = WriteHead(request, head);
            await connection.Socket.SendAsync(head.AsMemory(0, length), SocketFlags.None, cancellationToken);
            var response = await connection.ReadAnswerAsync(request);
            _idle.Add(connection);
            return response;
        }
        catch
        {
            connection.Socket.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head);
        }
    }

    private static int WriteHead(HttpRequestMessage request, byte[] buffer)
    {
        var length = Encoding.ASCII.GetBytes($"{request.Method.Method} {request.RequestUri!.PathAndQuery} HTTP/1.1\r\nHost: {request.RequestUri.Authority}\r\n", buffer);
        foreach (var (name, values) in request.Headers.NonValidated)
        {
            if (!string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase))
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

        public async Task<HttpResponseMessage> ReadAnswerAsync(HttpRequestMessage request)
        {
            var read = 0;
            int headEnd;
            while ((headEnd = _buffer.AsSpan(0, read).IndexOf(HeaderEnd)) < 0)
            {
                read += await Receive(read);
            }

            var bodyStart = headEnd + HeaderEnd.Length;
            var response = new HttpResponseMessage { RequestMessage = request };
            var bodyLength = ReadHead(_buffer.AsSpan(0, headEnd), response, out var contentHeaders);
            while (read < bodyStart + bodyLength)
            {
                read += await Receive(read);
            }

            response.Content = new ByteArrayContent(_buffer.AsSpan(bodyStart, bodyLength).ToArray());
            foreach (var (name, value) in contentHeaders)
            {
                response.Content.Headers.TryAddWithoutValidation(name, value);
            }

            return response;
        }

        private async ValueTask<int> Receive(int offset)
        {
            var received = await Socket.ReceiveAsync(_buffer.AsMemory(offset), SocketFlags.None);
            return received > 0 ? received : throw new IOException("The origin closed the connection.");
        }

        /// <summary>Status line and headers onto the response; returns the Content-Length.</summary>
        private static int ReadHead(ReadOnlySpan<byte> head, HttpResponseMessage response, out List<(string, string)> contentHeaders)
        {
            contentHeaders = [];
            var lineEnd = head.IndexOf("\r\n"u8);
            var statusLine = lineEnd < 0 ? head : head[..lineEnd];
            response.StatusCode = Utf8Parser.TryParse(statusLine[9..12], out int status, out _) ? (HttpStatusCode)status : throw new InvalidOperationException("No status code.");
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
                if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
                {
                    if (string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase))
                    {
                        bodyLength = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    }

                    contentHeaders.Add((name, value));
                }
                else if (!string.Equals(name, "Connection", StringComparison.OrdinalIgnoreCase) && !string.Equals(name, "Keep-Alive", StringComparison.OrdinalIgnoreCase))
                {
                    response.Headers.TryAddWithoutValidation(name, value);
                }
            }

            return bodyLength >= 0 ? bodyLength : throw new InvalidOperationException("Only answers with Content-Length are forwarded.");
        }
    }
}
