using Turnpike.Edge.Observability;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.Prometheus;

/// <summary>
/// Kong's prometheus plugin: records each request it applies to in Kong's metrics (<see cref="GatewayMetrics"/>),
/// served by the status listener's <c>/metrics</c>. Every switch is off by default, as in Kong 3.x.
/// </summary>
internal sealed class PrometheusPlugin(GatewayMetrics metrics) : GatewayPlugin<PrometheusOptions>
{
    private static readonly ConfigField<bool> PerConsumer = Field.Boolean("per_consumer").Default(false);
    private static readonly ConfigField<bool> StatusCodeMetrics = Field.Boolean("status_code_metrics").Default(false);
    private static readonly ConfigField<bool> LatencyMetrics = Field.Boolean("latency_metrics").Default(false);
    private static readonly ConfigField<bool> BandwidthMetrics = Field.Boolean("bandwidth_metrics").Default(false);
    private static readonly ConfigField<bool> UpstreamHealthMetrics = Field.Boolean("upstream_health_metrics").Default(false);
    private static readonly ConfigField<bool> AiMetrics = Field.Boolean("ai_metrics").Default(false);

    private static readonly ConfigSchema<PrometheusOptions> Schema = new(
        [PerConsumer, StatusCodeMetrics, LatencyMetrics, BandwidthMetrics, UpstreamHealthMetrics, AiMetrics],
        c => new(c.Get(PerConsumer), c.Get(StatusCodeMetrics), c.Get(LatencyMetrics), c.Get(BandwidthMetrics), c.Get(UpstreamHealthMetrics), c.Get(AiMetrics)));

    public override string Name => "prometheus";

    public override int Priority => 13;

    public override ConfigSchema<PrometheusOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(PrometheusOptions options, Guid instanceId)
    {
        metrics.UpstreamHealthMetrics |= options.UpstreamHealthMetrics;
        return new PrometheusHandler(metrics, options);
    }
}

/// <summary>One prometheus instance's switches (Kong's names).</summary>
internal sealed record PrometheusOptions(
    bool PerConsumer, bool StatusCodeMetrics, bool LatencyMetrics, bool BandwidthMetrics, bool UpstreamHealthMetrics, bool AiMetrics);
