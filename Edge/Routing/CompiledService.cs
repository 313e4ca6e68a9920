using Turnpike.Edge.Proxy;
using Yarp.ReverseProxy.Forwarder;

namespace Turnpike.Edge.Routing;

/// <summary>
/// A service ready to forward to: its destination (or, when its host names an upstream, the upstream's
/// balancer and one destination per target), pooled client and timeouts, computed once per snapshot.
/// </summary>
internal sealed class CompiledService(ServiceEntity entity, UpstreamClient client, UpstreamBalancer? balancer = null)
{
    public ServiceEntity Entity { get; } = entity;

    /// <summary>
    /// The scheme on the wire: <c>grpc</c> is HTTP/2 in clear text (h2c, prior knowledge) and <c>grpcs</c> HTTP/2 over
    /// TLS (ALPN h2), so their destinations are <c>http://</c> and <c>https://</c>.
    /// </summary>
    private readonly bool _https = entity.Protocol is "https" or "grpcs";

    /// <summary><c>scheme://host:port</c>, to which the upstream path is appended (the service's own host; unused with a balancer).</summary>
    public string DestinationPrefix { get; } = $"{(entity.Protocol is "https" or "grpcs" ? "https" : "http")}://{FormatHost(entity.Host)}:{entity.Port}";

    public UpstreamBalancer? Balancer { get; } = balancer;

    /// <summary>The service's path as it goes on the wire (anything not allowed literally in a path escaped), or null.</summary>
    public string? EscapedPath { get; } = entity.Path is { } path ? Proxy.RequestPath.EscapeUnsafe(path) : null;

    /// <summary>
    /// Where a request goes: the service's host, or its upstream's target for this hash key (round-robin
    /// without one), the next one on a retry; null when the upstream has no target taking traffic.
    /// </summary>
    public string? NextDestination(string? hashKey, int attempt, out UpstreamBalancer.Endpoint? endpoint)
    {
        endpoint = Balancer?.Next(hashKey, attempt);
        return Balancer is null ? DestinationPrefix : endpoint is null ? null : _https ? endpoint.HttpsPrefix : endpoint.HttpPrefix;
    }

    /// <summary>The Host to send to <paramref name="endpoint"/> (a target named by DNS, or the upstream's host_header); null: the destination's own.</summary>
    public string? HostFor(UpstreamBalancer.Endpoint? endpoint) => endpoint is null ? null : _https ? endpoint.HttpsHost : endpoint.HttpHost;

    /// <summary>The pooled client for the service's connect timeout and TLS policy; take a hold per request (<see cref="UpstreamClients.Lease"/>).</summary>
    public UpstreamClient Client { get; } = client;

    // Kong's read/write timeouts bound the time between two successful operations, which is YARP's activity timeout.
    // http/https keep HTTP/1.1 (as Kong's nginx speaks to upstreams); grpc/grpcs are HTTP/2 or nothing: h2c needs prior
    // knowledge, and a gRPC upstream answering HTTP/1.1 could not carry trailers.
    public ForwarderRequestConfig RequestConfig { get; } = new()
    {
        ActivityTimeout = TimeSpan.FromMilliseconds(Math.Max(entity.ReadTimeout, entity.WriteTimeout)),
        Version = entity.Protocol is "grpc" or "grpcs" ? System.Net.HttpVersion.Version20 : System.Net.HttpVersion.Version11,
        VersionPolicy = entity.Protocol is "grpc" or "grpcs" ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower,
    };

    /// <summary>A host as it goes into a URL or a Host header: an IPv6 address in brackets.</summary>
    internal static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
}
