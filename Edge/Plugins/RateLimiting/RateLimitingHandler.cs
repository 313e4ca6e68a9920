using System.Globalization;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.RateLimiting;

namespace Turnpike.Edge.Plugins.RateLimiting;

/// <summary>
/// Counts each request against the instance's limits (cluster-wide by default, or per edge), answers
/// <c>error_code</c> (429) with Retry-After when a limit is reached, and reports Kong's rate-limit headers.
/// </summary>
internal sealed class RateLimitingHandler(RateLimitingOptions options, ClusterQuota cluster, LocalQuota local, RateLimitMetrics metrics) : IPluginHandler
{
    public const string CountersUnavailable = "The rate-limiting counters could not be reached";

    private readonly string[] _limitHeaders = [.. options.Limits.Select(l => "X-RateLimit-Limit-" + l.Window)];
    private readonly string[] _remainingHeaders = [.. options.Limits.Select(l => "X-RateLimit-Remaining-" + l.Window)];
    private readonly string[] _limitValues = [.. options.Limits.Select(l => l.Limit.ToString(CultureInfo.InvariantCulture))];

    // Counter keys are "{instance}/{what}:{identity}"; the fixed parts are made once, not per request.
    private readonly string _keyPrefix = $"{options.InstanceId:N}/{options.LimitBy}:";
    private readonly string _ipKeyPrefix = $"{options.InstanceId:N}/ip:";

    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        var key = CounterKey(context);
        var decision = options.Cluster ? await cluster.AcquireAsync(key, options.Limits, cost: 1) : local.TryAcquire(key, options.Limits, cost: 1);
        if (decision.Outcome == QuotaOutcome.Unavailable)
        {
            if (!options.FaultTolerant)
            {
                await ProxyErrors.WriteAsync(context.HttpContext, StatusCodes.Status503ServiceUnavailable, CountersUnavailable);
                return false;
            }

            // fault_tolerant: let traffic through, still limited, by this edge's own count.
            metrics.CountLocalFallback();
            decision = local.TryAcquire(key, options.Limits, cost: 1);
        }

        var (window, reset) = Tightest(decision);
        if (!options.HideClientHeaders)
        {
            for (var i = 0; i < _limitHeaders.Length; i++)
            {
                context.SetResponseHeader(_limitHeaders[i], _limitValues[i]);
                context.SetResponseHeader(_remainingHeaders[i], Text(decision.Remaining[i]));
            }

            context.SetResponseHeader("RateLimit-Limit", _limitValues[window]);
            context.SetResponseHeader("RateLimit-Remaining", Text(decision.Remaining[window]));
            context.SetResponseHeader("RateLimit-Reset", Text(reset));
        }

        if (decision.Outcome == QuotaOutcome.Admitted)
        {
            metrics.CountAdmitted();
            return true;
        }

        metrics.CountRejected();
        context.SetResponseHeader("Retry-After", Text(reset));
        context.ApplyResponseHeaders();
        await ProxyErrors.WriteAsync(context.HttpContext, options.ErrorCode, options.ErrorMessage);
        return false;
    }

    public void OnResponseHeaders(ProxyContext context)
    {
    }

    /// <summary>Kong's choice for the RateLimit-* headers: the limit with the fewest permits left, the longer window on a tie.</summary>
    private static (int Index, long Reset) Tightest(in QuotaDecision decision)
    {
        var best = 0;
        for (var i = 1; i < decision.Count; i++)
        {
            if (decision.Remaining[i] <= decision.Remaining[best])
            {
                best = i;
            }
        }

        return (best, decision.Count > best ? decision.ResetSeconds[best] : 1);
    }

    /// <summary>What the limit counts by, as Kong picks it: the configured identity, or the client IP when the request has none.</summary>
    private string CounterKey(ProxyContext context)
    {
        var http = context.HttpContext;
        var identity = options.LimitBy switch
        {
            "consumer" => context.Consumer?.Id.ToString("N"),
            "credential" => context.CredentialId?.ToString("N"),
            "service" => context.Service.Entity.Id.ToString("N"),
            "header" => http.Request.Headers[options.HeaderName!].ToString() is { Length: > 0 } value ? value : null,
            "path" => http.Request.Path.Value == options.Path ? options.Path : null,
            _ => null,
        };
        return identity is null ? _ipKeyPrefix + ConnectionText.Of(http).RemoteAddress : _keyPrefix + identity;
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
