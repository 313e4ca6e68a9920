using Turnpike.Edge.Tls;

namespace Turnpike.Edge.Proxy;

/// <summary>What a connection pool to upstreams is made of: the connect timeout and the TLS policy are both properties of the handler.</summary>
internal readonly record struct UpstreamClientKey(int ConnectTimeoutMs, UpstreamTlsPolicy Tls);
