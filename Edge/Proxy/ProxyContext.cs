using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Consumers;
using Turnpike.Edge.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Turnpike.Edge.Proxy;

/// <summary>
/// The state of one proxied request, and the transform YARP applies to it on the way up and down. One object plays
/// both parts so that a proxied request costs one allocation of ours. Its parts, one file each: who the request is
/// from (<c>ProxyContext.Identity.cs</c>), the upstream request (<c>.UpstreamRequest.cs</c>), the response
/// (<c>.Response.cs</c>), and what the request is metered with (<c>.Meters.cs</c>). The phases it goes through are
/// listed in <see cref="ProxyMiddleware"/>.
/// </summary>
internal sealed partial class ProxyContext(
    HttpContext httpContext, RouteMatch match, ConsumerDirectory consumers, string forwardedPath, string upstreamPath, string? strippedPrefix, long startTimestamp)
    : HttpTransformer
{
    public HttpContext HttpContext { get; } = httpContext;

    public CompiledRoute Route => match.Route;

    public CompiledService Service => match.Route.Service!;

    public long StartTimestamp { get; } = startTimestamp;

    /// <summary>Set by correlation-id, for the plugins after it and the response.</summary>
    public string? CorrelationId { get; set; }
}
