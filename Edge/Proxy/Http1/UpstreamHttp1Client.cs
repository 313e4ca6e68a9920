namespace Turnpike.Edge.Proxy.Http1;

/// <summary>What carries HTTP/1.1 requests to plain-HTTP upstreams (<c>Turnpike:UpstreamHttp1Client</c>).</summary>
public enum UpstreamHttp1Client
{
    /// <summary>Turnpike's own client (<see cref="Http1UpstreamHandler"/>): a socket and one buffer per pooled connection.</summary>
    Turnpike,

    /// <summary>.NET's <see cref="System.Net.Http.SocketsHttpHandler"/>, as before: the way back for one release.</summary>
    SocketsHttpHandler,
}
