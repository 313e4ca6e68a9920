using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins;

/// <summary>One configured plugin instance on the request path.</summary>
internal interface IPluginHandler
{
    /// <summary>Runs before the request is forwarded. Returns false when the plugin has answered the request itself.</summary>
    ValueTask<bool> OnRequestAsync(ProxyContext context);

    /// <summary>Runs when the upstream's response headers are in place and before any of the body is sent.</summary>
    void OnResponseHeaders(ProxyContext context);
}
