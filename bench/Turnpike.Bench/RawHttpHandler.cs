using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Turnpike.Bench;

/// <summary>
/// The least an HTTP handler under YARP's forwarder can do for the benchmark's requests, as a yardstick and nothing
/// more: the request line and headers written to a pooled keep-alive socket in one send, an answer with Content-Length
/// read into one buffer and handed back as a response message. No chunking, upgrades, timeouts or checks; what it
/// leaves out only makes it cheaper, so a handler of our own in place of <see cref="SocketsHttpHandler"/> cannot spend less.
/// </summary>
internal sealed class RawHttpHandler(IPEndPoint origin) : HttpMessageHandler
{
    private readonly ConcurrentBag<RawOriginConnection> _idle = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!_idle.TryTake(out var connection))
        {
            connection = await RawOriginConnection.OpenAsync(origin);
        }

        var head = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            var length = WriteHead(request, head);
            await connection.Socket.SendAsync(head.AsMemory(0, length), SocketFlags.None, cancellationToken);
            var response = new HttpResponseMessage { RequestMessage = request, Content = new ByteArrayContent([]) };
            var (status, body) = await connection.ReadAnswerAsync(response, static (response, name, value) =>
            {
                if (!response.Headers.TryAddWithoutValidation(name, value))
                {
                    response.Content.Headers.TryAddWithoutValidation(name, value); // Content-Type, Content-Length
                }
            });
            response.StatusCode = (HttpStatusCode)status;
            var headers = response.Content.Headers;
            response.Content = new ByteArrayContent(body.ToArray());
            foreach (var (name, values) in headers)
            {
                response.Content.Headers.TryAddWithoutValidation(name, values);
            }

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
        var length = RawOriginConnection.Line(buffer, 0, "", $"{request.Method.Method} {request.RequestUri!.PathAndQuery} HTTP/1.1");
        length = RawOriginConnection.Line(buffer, length, "Host", request.RequestUri.Authority);
        foreach (var (name, values) in request.Headers.NonValidated)
        {
            if (!string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase))
            {
                length = RawOriginConnection.Line(buffer, length, name, values.ToString());
            }
        }

        return RawOriginConnection.Line(buffer, length, "", "");
    }
}
