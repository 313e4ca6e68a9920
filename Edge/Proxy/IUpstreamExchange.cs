namespace Turnpike.Edge.Proxy;

/// <summary>
/// A request/response exchange with the upstream that a plugin runs itself instead of YARP's forwarding,
/// because it rewrites both ways (ai-proxy translates to and from an LLM provider's format, stream included; aws-lambda
/// calls Lambda's API). It answers the client, errors included. What every way of answering owes the request — the
/// forward and answer times, the response body's count, who answered — the proxy does around it: the exchange sends
/// through <see cref="UpstreamCall"/> and writes its answer, nothing more.
/// </summary>
internal interface IUpstreamExchange
{
    /// <param name="upstream">The way to the upstream: the service's pooled client, held for this request by the proxy, timed.</param>
    Task SendAsync(ProxyContext context, UpstreamCall upstream);
}
