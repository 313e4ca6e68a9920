using System.Globalization;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.RateLimiting;

namespace Turnpike.Edge.Plugins.AiBudget;

/// <summary>
/// Reserves a call's most expensive estimate from the budget once ai-proxy (or ai-proxy-advanced) knows which models
/// may answer it, and settles the reservation to the cost of the usage the answering model reported: to nothing when
/// no provider was reached or it refused, to the estimate when the usage is unknown. The remaining budget goes in
/// <c>X-AI-Budget-Remaining-{Day|Month}</c> headers (currency units); an exhausted budget answers
/// <c>error_code</c> (402 by default: an SDK does not retry it as it would a 429) in OpenAI's shape.
/// </summary>
internal sealed class AiBudgetHandler(AiBudgetOptions options, ClusterQuota cluster, LocalQuota local) : IPluginHandler
{
    public const string CountersUnavailable = "The budget counters could not be reached";

    private readonly string[] _limitHeaders = [.. options.Limits.Select(l => $"X-AI-Budget-Limit-{l.Window}")];
    private readonly string[] _remainingHeaders = [.. options.Limits.Select(l => $"X-AI-Budget-Remaining-{l.Window}")];
    private readonly string[] _limitValues = [.. options.Limits.Select(l => AiBudgetMoney.Text(l.Limit))];
    private readonly string _keyPrefix = $"{options.InstanceId:N}/{options.LimitBy}:";
    private readonly string _ipKeyPrefix = $"{options.InstanceId:N}/ip:";

    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        if (await AiRequest.ReadAsync(context, options.MaxRequestBodySize) is not { } ai)
        {
            return false;
        }

        // Priced when the models are known; a route with no ai-proxy never reserves (nothing prices its calls).
        ai.OnReserve(ReserveAsync);
        return true;
    }

    private async ValueTask<bool> ReserveAsync(ProxyContext context, AiCallEstimate estimate)
    {
        var cost = AiBudgetMoney.MicrosOfNanos(estimate.MaxCostNanos(options.EstimatedCompletionTokens));
        var key = CounterKey(context);
        var decision = await cluster.AcquireAsync(key, options.Limits, cost);
        if (decision.Outcome == QuotaOutcome.Unavailable)
        {
            if (!options.FaultTolerant)
            {
                await AiErrors.WriteAsync(context.HttpContext, StatusCodes.Status503ServiceUnavailable, CountersUnavailable);
                return false;
            }

            decision = local.TryAcquire(key, options.Limits, cost); // this edge's own count, until the cluster answers again
        }

        long reset = 0;
        for (var i = 0; i < decision.Count; i++)
        {
            if (!options.HideClientHeaders)
            {
                context.SetResponseHeader(_limitHeaders[i], _limitValues[i]);
                context.SetResponseHeader(_remainingHeaders[i], AiBudgetMoney.Text(decision.Remaining[i]));
            }

            if (decision.Remaining[i] < cost)
            {
                reset = Math.Max(reset, decision.ResetSeconds[i]);
            }
        }

        if (decision.Outcome == QuotaOutcome.Admitted)
        {
            var taken = new QuotaTaken(key, cost, decision.Periods, decision.Periods is null ? local.Now : 0);
            context.Ai?.OnCostSettled(nanos => taken.Settle(nanos is { } known ? AiBudgetMoney.MicrosOfNanos(known) : cost, options.Limits, cluster, local));
            return true;
        }

        context.SetResponseHeader("Retry-After", Math.Max(1, reset).ToString(CultureInfo.InvariantCulture));
        await AiErrors.WriteJsonAsync(context.HttpContext, options.ErrorCode, AiErrors.Body(options.ErrorMessage, "insufficient_quota", "insufficient_quota"));
        return false;
    }

    /// <summary>Whom the budget belongs to; a request with no such identity is counted by its client address, as rate-limiting falls back.</summary>
    private string CounterKey(ProxyContext context)
    {
        var identity = options.LimitBy switch
        {
            "consumer" => context.Consumer?.Id.ToString("N"),
            "credential" => context.CredentialId?.ToString("N"),
            _ => context.Service?.Entity.Id.ToString("N"),
        };
        return identity is null ? _ipKeyPrefix + ConnectionText.Of(context.HttpContext).RemoteAddress : _keyPrefix + identity;
    }
}
