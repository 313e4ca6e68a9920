using System.Net;

namespace Turnpike.Edge.Hosting;

/// <summary>How a listener speaks: plain HTTP/1.1, TLS (ALPN h2 and http/1.1), or HTTP/2 cleartext with prior knowledge.</summary>
internal enum ListenerTransport
{
    Http,
    Https,
    H2c,
}

/// <summary>One address a listener binds, and how it speaks there.</summary>
internal sealed record ListenerEndpoint(IPEndPoint EndPoint, ListenerTransport Transport);
