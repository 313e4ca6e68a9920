using Prometheus;

namespace Turnpike.Edge.Observability;

/// <summary>
/// The children of Kong's HTTP metrics for one label set, each looked up on first use and then only incremented: recording a
/// request is a dictionary read and a few interlocked adds, with no lock and no allocation.
/// </summary>
internal sealed class HttpSeries(GatewayMetrics metrics, HttpSeriesKey key)
{
    public Counter.Child Requests => field ??= metrics.Requests.WithLabels(key.Service, key.Route, key.CodeText, key.Source, GatewayMetrics.Workspace, key.Consumer);

    public Histogram.Child KongLatency => field ??= metrics.KongLatency.WithLabels(key.Service, key.Route, GatewayMetrics.Workspace);

    public Histogram.Child UpstreamLatency => field ??= metrics.UpstreamLatency.WithLabels(key.Service, key.Route, GatewayMetrics.Workspace);

    public Histogram.Child RequestLatency => field ??= metrics.RequestLatency.WithLabels(key.Service, key.Route, GatewayMetrics.Workspace);

    public Counter.Child Ingress => field ??= metrics.Bandwidth.WithLabels(key.Service, key.Route, "ingress", GatewayMetrics.Workspace, key.Consumer);

    public Counter.Child Egress => field ??= metrics.Bandwidth.WithLabels(key.Service, key.Route, "egress", GatewayMetrics.Workspace, key.Consumer);
}

/// <summary>One label set of Kong's HTTP metrics; the strings are the entities' own, so building a key allocates nothing.</summary>
internal readonly record struct HttpSeriesKey(string Service, string Route, int Code, string Source, string Consumer)
{
    public string CodeText => Code.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
