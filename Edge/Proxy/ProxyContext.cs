using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Consumers;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Turnpike.Edge.Proxy;

/// <summary>
/// The state of one request on the proxy listener, and the transform YARP applies to it on the way up and down. One
/// object plays both parts so that a proxied request costs one allocation of ours. Every request has one, however it
/// is answered (a request refused before a route matched has the route-less form, <see cref="Refused"/>), so each
/// goes through the response-headers and log phases. Its parts, one file each: who the request is from
/// (<c>ProxyContext.Identity.cs</c>), the upstream request (<c>.UpstreamRequest.cs</c>), the response
/// (<c>.Response.cs</c>), what the request is metered with (<c>.Meters.cs</c>) and what the log phase reads
/// (<c>.Log.cs</c>). The phases it goes through are listed in <see cref="ProxyMiddleware"/>.
/// </summary>
/// <param name="plugins">The plugins whose phases run for this request: the route's, or the table's global ones when
/// the request was answered before a route's plugins could run.</param>
internal sealed partial class ProxyContext(
    HttpContext httpContext,
    PluginChain plugins,
    CompiledRoute? route,
    CompiledService? service,
    ConsumerDirectory consumers,
    string forwardedPath,
    string upstreamPath,
    string? strippedPrefix,
    long startTimestamp)
    : HttpTransformer
{
    /// <summary>A request the proxy forwards: its route's plugins run, and its service is the upstream.</summary>
    public ProxyContext(
        HttpContext httpContext, CompiledRoute route, CompiledService service, ConsumerDirectory consumers, string forwardedPath, string upstreamPath, string? strippedPrefix, long startTimestamp)
        : this(httpContext, route.Plugins, route, service, consumers, forwardedPath, upstreamPath, strippedPrefix, startTimestamp)
    {
    }

    public HttpContext HttpContext { get; } = httpContext;

    /// <summary>The plugins whose phases run for this request (see the constructor).</summary>
    public PluginChain Plugins { get; } = plugins;

    /// <summary>The route that matched; null when none did (the 404, or a path refused before matching).</summary>
    public CompiledRoute? Route { get; } = route;

    /// <summary>The service the request goes to; null when no route matched or the route has none (its 503).</summary>
    public CompiledService? Service { get; } = service;

    public long StartTimestamp { get; } = startTimestamp;

    /// <summary>Set by correlation-id, for the plugins after it and the response.</summary>
    public string? CorrelationId { get; set; }

    /// <summary>
    /// A request the router answered itself (bad path, no route, wrong protocol, no service): no plugin's access phase
    /// runs, the global plugins' response-headers and log phases do, as in Kong.
    /// </summary>
    public static ProxyContext Refused(HttpContext httpContext, PluginChain globalPlugins, CompiledRoute? route, ConsumerDirectory consumers, string path, long startTimestamp) =>
        new(httpContext, globalPlugins, route, route?.Service, consumers, path, path, null, startTimestamp) { AnsweredBy = AnsweredBy.Router };
}
