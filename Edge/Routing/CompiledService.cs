using Yarp.ReverseProxy.Forwarder;

namespace Turnpike.Edge.Routing;

/// <summary>
/// A service ready to forward to: its destination (or, when its host names an upstream, the upstream's
/// balancer and one destination per target), pooled client and timeouts, computed once per snapshot.
/// </summary>
internal sealed class CompiledService(ServiceEntity entity, HttpMessageInvoker client, UpstreamBalancer? balancer = null)
{
    public ServiceEntity Entity { get; } = entity;

    /// <summary><c>scheme://host:port</c>, to which the upstream path is appended (the service's own host; unused with a balancer).</summary>
    public string DestinationPrefix { get; } = $"{entity.Protocol}://{FormatHost(entity.Host)}:{entity.Port}";

    public UpstreamBalancer? Balancer { get; } = balancer;

    /// <summary>The service's path as it goes on the wire (anything not allowed literally in a path escaped), or null.</summary>
    public string? EscapedPath { get; } = entity.Path is { } path ? Proxy.RequestPath.EscapeUnsafe(path) : null;

    private readonly bool _https = entity.Protocol == "https";

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

    public HttpMessageInvoker Client { get; } = client;

    // Kong's read/write timeouts bound the time between two successful operations, which is YARP's activity timeout.
    public ForwarderRequestConfig RequestConfig { get; } = new()
    {
        ActivityTimeout = TimeSpan.FromMilliseconds(Math.Max(entity.ReadTimeout, entity.WriteTimeout)),
        Version = System.Net.HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
    };

    /// <summary>A host as it goes into a URL or a Host header: an IPv6 address in brackets.</summary>
    internal static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
}
