using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
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
    private readonly ConcurrentBag<RawOriginConnection> _idle = [];

    public async Task ForwardAsync(HttpContext context)
    {
        if (!_idle.TryTake(out var connection))
        {
            connection = await RawOriginConnection.OpenAsync(origin);
        }

        var head = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            var length = WriteHead(context.Request, head);
            await connection.Socket.SendAsync(head.AsMemory(0, length), SocketFlags.None, context.RequestAborted);
            var response = context.Response;
            var (status, body) = await connection.ReadAnswerAsync(response, static (response, name, value) =>
            {
                if (string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    response.ContentLength = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                }
                else
                {
                    response.Headers[name] = value;
                }
            });
            response.StatusCode = status;
            response.HttpContext.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = null;
            await response.Body.WriteAsync(body);
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
        var length = RawOriginConnection.Line(buffer, 0, "", $"{request.Method} {request.Path}{request.QueryString} HTTP/1.1");
        foreach (var (name, values) in request.Headers)
        {
            if (!string.Equals(name, "Connection", StringComparison.OrdinalIgnoreCase))
            {
                length = RawOriginConnection.Line(buffer, length, name, values.ToString());
            }
        }

        return RawOriginConnection.Line(buffer, length, "", "");
    }
}
