using Turnpike.Edge.Observability;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.Prometheus;

/// <summary>
/// Records a finished request in Kong's metrics (log phase). The label set's series is found with one lock-free
/// dictionary read of a key made of the entities' own strings: nothing is allocated once the series exists.
/// </summary>
internal sealed class PrometheusHandler(GatewayMetrics metrics, PrometheusOptions options) : IPluginHandler
{
    public PrometheusOptions Options { get; } = options;

    public ValueTask<bool> OnRequestAsync(ProxyContext context) => ValueTask.FromResult(true);

    public void OnLog(ProxyContext context)
    {
        if (Options.StatusCodeMetrics || Options.LatencyMetrics || Options.BandwidthMetrics)
        {
            RecordHttp(context);
        }

        if (Options.AiMetrics && context.LlmCall is { } call)
        {
            RecordAi(call);
        }
    }

    private void RecordHttp(ProxyContext context)
    {
        if (context.Service?.Entity is not { } service)
        {
            return; // as Kong's exporter: no stats for a request without a service (no route matched, or its route has none)
        }

        var consumer = Options.PerConsumer && context.Consumer is { } c ? c.Username ?? c.CustomId ?? c.Id.ToString() : "";
        var key = new HttpSeriesKey(
            service.Name ?? service.Host,
            context.Route?.Label ?? "",
            Options.StatusCodeMetrics ? context.HttpContext.Response.StatusCode : 0,
            context.AnsweredByUpstream ? "service" : "kong",
            consumer);
        if (metrics.Http(key) is not { } series)
        {
            return;
        }

        if (Options.StatusCodeMetrics)
        {
            series.Requests.Inc();
        }

        if (Options.LatencyMetrics)
        {
            series.RequestLatency.Observe(context.RequestLatencyMs);
            series.KongLatency.Observe(context.GatewayLatencyMs);
            if (context.AnsweredByUpstream)
            {
                series.UpstreamLatency.Observe(context.UpstreamLatencyMs);
            }
        }

        if (Options.BandwidthMetrics)
        {
            if (context.RequestBodyBytes is > 0 and var ingress)
            {
                series.Ingress.Inc(ingress);
            }

            if (context.ResponseBodyBytes is > 0 and var egress)
            {
                series.Egress.Inc(egress);
            }
        }
    }

    private void RecordAi(Ai.LlmCallRecord call)
    {
        if (metrics.Ai(call.Provider, call.Model) is not { } series)
        {
            return;
        }

        series.Requests.Inc();
        series.Latency.Observe(call.LatencyMs);
        if (call.Usage is { } usage)
        {
            series.PromptTokens.Inc(usage.PromptTokens);
            series.CompletionTokens.Inc(usage.CompletionTokens);
            series.TotalTokens.Inc(usage.TotalTokens);
        }

        if (call.Cost > 0)
        {
            series.Cost.Inc(call.Cost);
        }
    }
}
