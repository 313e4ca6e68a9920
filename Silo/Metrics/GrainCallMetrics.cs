using System.Diagnostics;
using Prometheus;

namespace Turnpike.Silo.Metrics;

/// <summary>
/// Every grain call this silo serves, by grain type: how long it took and whether it failed. The grain types are
/// the cluster's own few (route table, counters, meters...), so the label set stays small.
/// </summary>
internal sealed class GrainCallMetrics : IIncomingGrainCallFilter
{
    private static readonly double[] Buckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000];

    private readonly Histogram _duration;
    private readonly Counter _failures;

    public GrainCallMetrics(SiloMetricsRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry.Registry);
        _duration = factory.CreateHistogram("turnpike_grain_call_duration_ms", "Grain calls this silo served, by grain type, and how long each took (ms)", ["grain_type"], new HistogramConfiguration { Buckets = Buckets });
        _failures = factory.CreateCounter("turnpike_grain_call_failures_total", "Grain calls this silo served that threw, by grain type", ["grain_type"]);
    }

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        var start = Stopwatch.GetTimestamp();
        var type = context.TargetId.Type.ToString() ?? "";
        try
        {
            await context.Invoke();
        }
        catch
        {
            _failures.WithLabels(type).Inc();
            throw;
        }
        finally
        {
            _duration.WithLabels(type).Observe(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }
}
