using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.RateLimiting;

/// <summary>Counts each request as one against the instance's limits; see <see cref="RateLimitGate"/>.</summary>
internal sealed class RateLimitingHandler(RateLimitGate gate) : IPluginHandler
{
    public async ValueTask<bool> OnRequestAsync(ProxyContext context) => await gate.TryTakeAsync(context, cost: 1) is not null;
}
