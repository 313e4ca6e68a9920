using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Plugins.AiProxy;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.Routing;

namespace Turnpike.Edge.Ai.Balancing;

/// <summary>
/// ai-proxy-advanced's call: an <see cref="LlmExchange"/> to the balancer's target, and, when it fails by one of the
/// <c>failover_criteria</c> before anything went to the client, another to the next target, up to
/// <c>balancer.retries</c> more. A stream that already sent bytes is never tried elsewhere; each target's outcome
/// feeds its passive health, latency and usage. Metering and settlement are the exchange's, so they count the model
/// that answered.
/// </summary>
internal sealed partial class LlmBalancedExchange(
    LlmBalancer balancer, UpstreamClients clients, JsonObject body, string? hashKey, int first, LlmExchange exchange, ILogger logger)
    : IUpstreamExchange
{
    public async Task SendAsync(ProxyContext context, UpstreamCall upstream)
    {
        var settings = balancer.Settings;

        // The balancer's connect timeout is a property of the connection pool: one pool per timeout, shared.
        var pool = clients.Lease(clients.Get(settings.ConnectTimeoutMs));
        try
        {
            await CallAsync(context, upstream, pool.Invoker, settings);
        }
        finally
        {
            pool.Release();
        }
    }

    private async Task CallAsync(ProxyContext context, UpstreamCall upstream, HttpMessageInvoker invoker, LlmBalancerSettings settings)
    {
        var readTimeout = TimeSpan.FromMilliseconds(settings.ReadTimeoutMs);
        var (index, current, tried, retries) = (first, exchange, 0UL, 0);
        while (true)
        {
            tried |= 1UL << index;
            var started = Stopwatch.GetTimestamp();
            var mayRetry = retries < settings.Retries;
            var attempt = await current.AttemptAsync(context, upstream, invoker, readTimeout, f => mayRetry && (settings.FailoverCriteria & f) != 0 && balancer.AnyLeft(tried));
            if (attempt.Failure == LlmFailure.None)
            {
                balancer.Succeeded(index, Stopwatch.GetElapsedTime(started), current.Usage);
            }
            else if ((attempt.Failure & LlmFailures.Unhealthy) != 0)
            {
                balancer.Failed(index);
            }

            if (attempt.Answered)
            {
                return;
            }

            retries++;
            var failed = index;
            (index, current) = Next(ref tried);
            if (current is null)
            {
                await AnswerFailedAsync(context.HttpContext, attempt.Failure);
                return;
            }

            LogFailover(logger, Describe(failed), attempt.Failure, Describe(index));
        }
    }

    /// <summary>The next target the request can go to (one its body does not suit is passed over), or none.</summary>
    private (int Index, LlmExchange? Exchange) Next(ref ulong tried)
    {
        while (balancer.Pick(hashKey, tried) is { } next)
        {
            if (AiProxyHandler.Prepare(balancer.Targets[next].Settings, body, logger).Exchange is { } prepared)
            {
                return (next, prepared);
            }

            tried |= 1UL << next;
        }

        return (-1, null);
    }

    private string Describe(int index) => balancer.Targets[index] is var t ? $"{t.Settings.Model.Provider}/{t.Settings.Model.Name}" : "";

    /// <summary>Every target that could be tried failed and none answered the client: the last failure, in OpenAI's shape.</summary>
    private static Task AnswerFailedAsync(HttpContext http, LlmFailure failure) => failure switch
    {
        LlmFailure.Timeout => AiErrors.WriteAsync(http, StatusCodes.Status504GatewayTimeout, ProxyErrors.GatewayTimeout),
        LlmFailure.Http429 => AiErrors.WriteAsync(http, StatusCodes.Status429TooManyRequests, "every LLM target is rate limited", "rate_limit_error"),
        _ => AiErrors.WriteAsync(http, StatusCodes.Status502BadGateway, ProxyErrors.BadGateway),
    };

    [LoggerMessage(EventId = 2703, Level = LogLevel.Information, Message = "LLM target {Failed} failed ({Failure}); trying {Next}")]
    private static partial void LogFailover(ILogger logger, string failed, LlmFailure failure, string next);
}
