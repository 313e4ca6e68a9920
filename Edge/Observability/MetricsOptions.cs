namespace Turnpike.Edge.Observability;

/// <summary>The edge's <c>/metrics</c> (section <c>Turnpike:Metrics</c>).</summary>
internal sealed class MetricsOptions
{
    public const string Section = "Turnpike:Metrics";

    /// <summary>
    /// The most distinct label sets (service, route, status code, source, consumer) the prometheus plugin keeps.
    /// A request that would add one more is not recorded, and counts in <c>turnpike_metrics_series_dropped_total</c>:
    /// a scrape stays bounded whatever the traffic (per_consumer with many consumers, say).
    /// </summary>
    public int MaxSeries { get; set; } = 10_000;
}
