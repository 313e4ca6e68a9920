using Yarp.ReverseProxy.Forwarder;

namespace Turnpike.Edge.Routing;

/// <summary>A service ready to forward to: its destination, pooled client and timeouts, computed once per snapshot.</summary>
internal sealed class CompiledService(ServiceEntity entity, HttpMessageInvoker client)
{
    public ServiceEntity Entity { get; } = entity;

    /// <summary><c>scheme://host:port</c>, to which the upstream path is appended.</summary>
    public string DestinationPrefix { get; } = $"{entity.Protocol}://{FormatHost(entity.Host)}:{entity.Port}";

    public HttpMessageInvoker Client { get; } = client;

    // Kong's read/write timeouts bound the time between two successful operations, which is YARP's activity timeout.
    public ForwarderRequestConfig RequestConfig { get; } = new()
    {
        ActivityTimeout = TimeSpan.FromMilliseconds(Math.Max(entity.ReadTimeout, entity.WriteTimeout)),
        Version = System.Net.HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
    };

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
}
