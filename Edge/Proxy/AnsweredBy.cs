namespace Turnpike.Edge.Proxy;

/// <summary>
/// Who answered a request, as the log phase reads it: metering bills <see cref="Cache"/>, <see cref="Exchange"/> and
/// <see cref="Upstream"/> answers as served, <see cref="Plugin"/> and <see cref="Fault"/> answers as rejected, and does not
/// meter <see cref="Router"/> answers (no service was reached).
/// </summary>
internal enum AnsweredBy
{
    /// <summary>The request failed in the proxy before it was forwarded (the state of a request until a plugin answers or it is forwarded): the client's fault as its 4xx, anything else a 500.</summary>
    Fault,

    /// <summary>The gateway answered before any plugin ran: a path it refuses (400), no route (404), the wrong protocol (426 or a redirect), a route without a service (503).</summary>
    Router,

    /// <summary>A plugin answered in the access phase (an auth failure, a rate limit, request-termination...).</summary>
    Plugin,

    /// <summary>A cache plugin answered from its store (proxy-cache, ai-semantic-cache): served, without the upstream.</summary>
    Cache,

    /// <summary>An exchange a plugin set answered in place of the upstream (ai-proxy, aws-lambda), errors included.</summary>
    Exchange,

    /// <summary>The request was forwarded to the service's upstream (its answer, or the gateway's 502/503/504 when it gave none).</summary>
    Upstream,
}
