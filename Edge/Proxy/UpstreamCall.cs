using Turnpike.Edge.Routing;

namespace Turnpike.Edge.Proxy;

/// <summary>
/// How an <see cref="IUpstreamExchange"/> reaches its upstream: every call it sends through here is timed for the
/// request (<see cref="ProxyContext.ForwardTimestamp"/> as it leaves, <see cref="ProxyContext.MarkUpstreamAnswered"/>
/// when the answer's headers arrive), so the latencies, the gateway's <c>Via</c> and latency headers and the log's
/// <c>source</c> come out as for a forwarded request without the exchange having to remember any of it.
/// </summary>
internal sealed class UpstreamCall(ProxyContext context, CompiledService service, HttpMessageInvoker serviceClient)
{
    /// <summary>The service the route forwards to (its timeouts apply to the exchange).</summary>
    public CompiledService Service { get; } = service;

    /// <summary>Sends <paramref name="request"/> with the service's pooled client, or with <paramref name="client"/> (an exchange's own: a balancer's pool, AWS's).</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken, HttpMessageInvoker? client = null)
    {
        context.MarkForwarded();
        var response = await (client ?? serviceClient).SendAsync(request, cancellationToken);
        context.MarkUpstreamAnswered();
        return response;
    }
}
