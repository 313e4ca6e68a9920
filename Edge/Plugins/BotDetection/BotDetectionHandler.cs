using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.BotDetection;

/// <summary>
/// Kong's order: a User-Agent matching <c>allow</c> passes, else one matching <c>deny</c> or a known bot gets 403
/// <c>Forbidden</c>; no User-Agent passes, two get 400. Verdicts are remembered per instance for up to
/// <see cref="MaxRemembered"/> User-Agents (Kong keeps 10,000 too), so the patterns run once per distinct agent.
/// </summary>
internal sealed class BotDetectionHandler(BotDetectionOptions options) : IPluginHandler
{
    public const int MaxRemembered = 10_000;
    public const string TwoAgents = "Only one User-Agent header allowed";

    private readonly ConcurrentDictionary<string, bool> _refused = new(StringComparer.Ordinal);

    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        var agents = context.HttpContext.Request.Headers.UserAgent;
        if (agents.Count == 0)
        {
            return true;
        }

        if (agents.Count > 1)
        {
            await ProxyErrors.WriteAsync(context.HttpContext, StatusCodes.Status400BadRequest, TwoAgents);
            return false;
        }

        var agent = agents[0]!.Trim();
        if (!_refused.TryGetValue(agent, out var refused))
        {
            try
            {
                refused = Refuses(agent);
            }
            catch (RegexMatchTimeoutException)
            {
                // Only a pattern stored before the linear-time rule can time out: the client's request is the one refused.
                await ProxyErrors.WriteAsync(context.HttpContext, StatusCodes.Status400BadRequest, ProxyErrors.BadRequest);
                return false;
            }

            if (_refused.Count >= MaxRemembered)
            {
                _refused.Clear();
            }

            _refused[agent] = refused;
        }

        if (refused)
        {
            await ProxyErrors.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden");
            return false;
        }

        return true;
    }

    internal bool Refuses(string agent)
    {
        foreach (var allow in options.Allow)
        {
            if (allow.IsMatch(agent))
            {
                return false;
            }
        }

        foreach (var deny in options.Deny)
        {
            if (deny.IsMatch(agent))
            {
                return true;
            }
        }

        return KnownBots.Pattern().IsMatch(agent);
    }
}
