using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Ai.Balancing;
using Turnpike.Edge.Plugins.AiProxy;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.AiProxyAdvanced;

/// <summary>
/// Picks the request's first target, checks the request against it as ai-proxy would, and hands the call, with
/// its failover to other targets, to an <see cref="LlmBalancedExchange"/>.
/// </summary>
internal sealed class AiProxyAdvancedHandler(LlmBalancer balancer, UpstreamClients clients, ILogger logger, int maxBodyBytes, bool anthropicClients = false) : IPluginHandler
{
    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        if (await AiRequest.ReadAsync(context, maxBodyBytes) is not { } ai || (anthropicClients && !await AiProxyHandler.FromAnthropicAsync(context, ai)))
        {
            return false;
        }

        var hashKey = HashKey(context);
        var first = balancer.Pick(hashKey, tried: 0)!.Value; // never null: an instance has at least one target
        var (exchange, problem) = AiProxyHandler.Prepare(balancer.Targets[first].Settings, ai.Body, logger);
        if (exchange is null)
        {
            await AiProxyHandler.BadRequestAsync(context, ai, problem!);
            return false;
        }

        // Priced at the dearest target: a failover may reach any of them.
        if (!await ai.ReserveAsync(context, balancer.Models))
        {
            return false;
        }

        context.Exchange = new LlmBalancedExchange(balancer, clients, ai.Body, hashKey, first, exchange, logger);
        return true;
    }

    /// <summary>consistent-hashing's key: the configured header's value, else the consumer; null (round-robin) for neither.</summary>
    private string? HashKey(ProxyContext context)
    {
        if (balancer.Settings.Algorithm != LlmBalancerAlgorithm.ConsistentHashing)
        {
            return null;
        }

        var header = context.HttpContext.Request.Headers[balancer.Settings.HashOnHeader];
        return header.Count > 0 && !string.IsNullOrEmpty(header[0]) ? "h:" + header[0] : context.Consumer is { } consumer ? "c:" + consumer.Id : null;
    }
}
