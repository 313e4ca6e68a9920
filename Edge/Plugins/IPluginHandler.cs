using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins;

/// <summary>One configured plugin instance on the request path.</summary>
internal interface IPluginHandler
{
    /// <summary>Runs before the request is forwarded. Returns false when the plugin has answered the request itself.</summary>
    ValueTask<bool> OnRequestAsync(ProxyContext context);

    /// <summary>
    /// Runs when the response's headers are in place and before any of the body is sent, whoever answered; most plugins
    /// have nothing to do then. A global plugin also gets the router's answers (no route, wrong protocol, no service),
    /// for which no plugin's <see cref="OnRequestAsync"/> ran and <see cref="ProxyContext.Route"/> may be null.
    /// </summary>
    void OnResponseHeaders(ProxyContext context)
    {
    }

    /// <summary>
    /// Runs after the upstream's response was forwarded. Only a plugin that had the response body buffered
    /// (<see cref="ProxyContext.BufferResponseBody"/>) has anything left to do here.
    /// </summary>
    ValueTask OnResponseBodyAsync(ProxyContext context) => ValueTask.CompletedTask;

    /// <summary>
    /// Kong's log phase: the request is over, however it was answered (<see cref="PluginLogPhase"/>), the router's own
    /// answers included for a global plugin (then <see cref="ProxyContext.Route"/> and <see cref="ProxyContext.Service"/>
    /// may be null). Runs on the request's thread after the response was sent, so it must be cheap and never wait:
    /// metrics and log queues only.
    /// </summary>
    void OnLog(ProxyContext context)
    {
    }
}
