using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.RateLimiting;

namespace Turnpike.Edge.Plugins.RateLimiting;

/// <summary>
/// What rate-limiting and ai-rate-limiting share: takes a cost from the instance's limits (cluster-wide by leasing,
/// or per edge), falls back on this edge's count when the cluster cannot be reached and <c>fault_tolerant</c> says
/// so, reports the limit headers, answers <c>error_code</c> with Retry-After when a limit is reached, and settles
/// a cost afterwards when the real one is known only then. Headers are <c>X-{prefix}-Limit-{Window}</c>,
/// <c>X-{prefix}-Remaining-{Window}</c> and <c>{prefix}-Limit|Remaining|Reset</c> for the tightest limit.
/// </summary>
internal sealed class RateLimitGate(
    RateLimitingOptions options, string headerPrefix, Func<HttpContext, int, string, Task> writeError, ClusterQuota cluster, LocalQuota local, RateLimitMetrics metrics)
{
    public const string CountersUnavailable = "The rate-limiting counters could not be reached";

    private readonly string[] _limitHeaders = [.. options.Limits.Select(l => $"X-{headerPrefix}-Limit-{l.Window}")];
    private readonly string[] _remainingHeaders = [.. options.Limits.Select(l => $"X-{headerPrefix}-Remaining-{l.Window}")];
    private readonly string _limitHeader = headerPrefix + "-Limit";
    private readonly string _remainingHeader = headerPrefix + "-Remaining";
    private readonly string _resetHeader = headerPrefix + "-Reset";
    private readonly string[] _limitValues = [.. options.Limits.Select(l => l.Limit.ToString(CultureInfo.InvariantCulture))];

    // Counter keys are "{instance}/{what}:{identity}"; the fixed parts are made once, not per request.
    private readonly string _keyPrefix = $"{options.InstanceId:N}/{options.LimitBy}:";
    private readonly string _ipKeyPrefix = $"{options.InstanceId:N}/ip:";

    // The whole key of an identity the table holds (a consumer, a credential, the service) is made once too. Clients
    // cannot grow this (they only pick among the table's entities), and the bound covers entities deleted since.
    private const int EntityKeysKept = 100_000;
    private readonly ConcurrentDictionary<Guid, string> _entityKeys = new();

    private readonly QuotaScope _scope = new(options.Policy == QuotaPolicy.Global, options.FaultTolerant);

    public RateLimitingOptions Options { get; } = options;

    /// <summary>Takes <paramref name="cost"/>; null when refused (and answered), else what was taken, to settle later if need be.</summary>
    public async ValueTask<QuotaTaken?> TryTakeAsync(ProxyContext context, long cost)
    {
        var key = CounterKey(context);
        var decision = Options.Policy == QuotaPolicy.Local ? local.TryAcquire(key, Options.Limits, cost) : await cluster.AcquireAsync(key, Options.Limits, cost, _scope);
        if (decision.Outcome == QuotaOutcome.Unavailable)
        {
            if (!Options.FaultTolerant)
            {
                await writeError(context.HttpContext, StatusCodes.Status503ServiceUnavailable, CountersUnavailable);
                return null;
            }

            // fault_tolerant: let traffic through, still limited, by this edge's own count.
            metrics.CountLocalFallback();
            decision = local.TryAcquire(key, Options.Limits, cost);
        }

        var (window, reset) = Tightest(decision);
        if (!Options.HideClientHeaders)
        {
            var tightestRemaining = NumberText.Of(decision.Remaining[window]);
            for (var i = 0; i < _limitHeaders.Length; i++)
            {
                context.SetResponseHeader(_limitHeaders[i], _limitValues[i]);
                context.SetResponseHeader(_remainingHeaders[i], i == window ? tightestRemaining : NumberText.Of(decision.Remaining[i]));
            }

            context.SetResponseHeader(_limitHeader, _limitValues[window]);
            context.SetResponseHeader(_remainingHeader, tightestRemaining);
            context.SetResponseHeader(_resetHeader, NumberText.Of(reset));
        }

        if (decision.Outcome == QuotaOutcome.Admitted)
        {
            metrics.CountAdmitted();
            // A cluster lease names the periods it paid from; a local count is placed by the time it was taken.
            return new QuotaTaken(key, cost, decision.Periods, decision.Periods is null ? local.Now : 0);
        }

        metrics.CountRejected();
        context.SetResponseHeader("Retry-After", NumberText.Of(reset)); // put on the answer by the headers phase, as on a forwarded one
        await writeError(context.HttpContext, Options.ErrorCode, Options.ErrorMessage);
        return null;
    }

    /// <summary>The request turned out to cost <paramref name="actual"/>, not what was taken: the difference is given back or taken too.</summary>
    public void Settle(QuotaTaken taken, long actual) => taken.Settle(actual, Options.Limits, cluster, local);

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
        var entity = Options.LimitBy switch
        {
            "consumer" => context.Consumer?.Id,
            "credential" => context.CredentialId,
            "service" => context.Service?.Entity.Id,
            _ => null,
        };
        if (entity is { } id)
        {
            return _entityKeys.TryGetValue(id, out var kept) ? kept
                : _entityKeys.Count < EntityKeysKept ? _entityKeys.GetOrAdd(id, static (id, prefix) => prefix + id.ToString("N"), _keyPrefix)
                : _keyPrefix + id.ToString("N");
        }

        var identity = Options.LimitBy switch
        {
            "header" => http.Request.Headers[Options.HeaderName!].ToString() is { Length: > 0 } value ? value : null,
            "path" => http.Request.Path.Value == Options.Path ? Options.Path : null,
            _ => null,
        };
        return identity is null ? _ipKeyPrefix + ConnectionText.Of(http).RemoteAddress : _keyPrefix + identity;
    }
}
