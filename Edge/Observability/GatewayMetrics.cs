using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Turnpike.Edge.Observability;

/// <summary>
/// The metrics Kong's prometheus plugin exports, under Kong's names, labels and buckets, in one prometheus-net
/// registry that the status listener's <c>/metrics</c> serves beside Turnpike's own (<see cref="NodeMetrics"/>).
/// The registry is this instance's, not prometheus-net's static default: two edges in one test process stay apart.
/// </summary>
internal sealed class GatewayMetrics
{
    /// <summary>Kong's label for its workspaces; Turnpike has one.</summary>
    public const string Workspace = "default";

    /// <summary>Kong 3.x's buckets for <c>kong_kong_latency_ms</c> (what the gateway adds: tens of ms at most).</summary>
    public static readonly double[] KongLatencyBuckets = [1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 500, 750, 1000, 3000, 6000];

    /// <summary>Kong 3.x's buckets for <c>kong_upstream_latency_ms</c> and <c>kong_request_latency_ms</c>.</summary>
    public static readonly double[] UpstreamLatencyBuckets = [25, 50, 80, 100, 250, 400, 700, 1000, 2000, 5000, 10000, 30000, 60000];

    /// <summary>Kong 3.x's buckets for <c>kong_ai_llm_provider_latency_ms</c>.</summary>
    public static readonly double[] AiLatencyBuckets = [250, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000, 10000, 30000, 60000];

    private static readonly string[] AiLabels = ["ai_provider", "ai_model", "cache_status", "vector_db", "embeddings_provider", "embeddings_model", "workspace"];

    private readonly ConcurrentDictionary<HttpSeriesKey, HttpSeries> _http = new();
    private readonly ConcurrentDictionary<(string Provider, string Model), AiSeries> _ai = new();
    private readonly int _maxSeries;
    private int _series;

    public GatewayMetrics(IOptions<MetricsOptions> options)
    {
        _maxSeries = options.Value.MaxSeries;
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);

        // prometheus-net would attach the current trace to observations as exemplars: work on every request that no
        // Kong dashboard reads. Off.
        factory.ExemplarBehavior = new ExemplarBehavior { DefaultExemplarProvider = static (_, _) => Exemplar.None };
        Requests = factory.CreateCounter("kong_http_requests_total", "HTTP status codes per consumer/service/route in Kong", ["service", "route", "code", "source", "workspace", "consumer"]);
        KongLatency = factory.CreateHistogram("kong_kong_latency_ms", "Latency added by Kong and enabled plugins for each service/route in Kong", ["service", "route", "workspace"], new HistogramConfiguration { Buckets = KongLatencyBuckets });
        UpstreamLatency = factory.CreateHistogram("kong_upstream_latency_ms", "Latency added by upstream response for each service/route in Kong", ["service", "route", "workspace"], new HistogramConfiguration { Buckets = UpstreamLatencyBuckets });
        RequestLatency = factory.CreateHistogram("kong_request_latency_ms", "Total latency incurred during requests for each service/route in Kong", ["service", "route", "workspace"], new HistogramConfiguration { Buckets = UpstreamLatencyBuckets });
        Bandwidth = factory.CreateCounter("kong_bandwidth_bytes", "Total bandwidth (ingress/egress) throughput in bytes", ["service", "route", "direction", "workspace", "consumer"]);
        AiRequests = factory.CreateCounter("kong_ai_llm_requests_total", "AI requests total per ai_provider in Kong", AiLabels);
        AiCost = factory.CreateCounter("kong_ai_llm_cost_total", "AI requests cost per ai_provider/cache in Kong", AiLabels);
        AiTokens = factory.CreateCounter("kong_ai_llm_tokens_total", "AI requests cost per ai_provider/cache in Kong", [.. AiLabels, "token_type"]);
        AiLatency = factory.CreateHistogram("kong_ai_llm_provider_latency_ms", "LLM response Latency for each AI plugins per ai_provider in Kong", AiLabels, new HistogramConfiguration { Buckets = AiLatencyBuckets });
        SeriesDropped = factory.CreateCounter("turnpike_metrics_series_dropped_total", "Requests not recorded by the prometheus plugin because Turnpike:Metrics:MaxSeries label sets exist");
        Factory = factory;
    }

    public CollectorRegistry Registry { get; }

    /// <summary>For <see cref="NodeMetrics"/>: its families go in the same registry.</summary>
    public IMetricFactory Factory { get; }

    public Counter Requests { get; }

    public Histogram KongLatency { get; }

    public Histogram UpstreamLatency { get; }

    public Histogram RequestLatency { get; }

    public Counter Bandwidth { get; }

    public Counter AiRequests { get; }

    public Counter AiCost { get; }

    public Counter AiTokens { get; }

    public Histogram AiLatency { get; }

    public Counter SeriesDropped { get; }

    /// <summary>
    /// Set once a prometheus instance with <c>upstream_health_metrics</c> was configured on this edge: from then on (while
    /// the plugin is enabled in the cluster) each scrape reports <c>kong_upstream_target_health</c>.
    /// </summary>
    public bool UpstreamHealthMetrics { get; set; }

    /// <summary>Distinct label sets recorded so far (bounded by <see cref="MetricsOptions.MaxSeries"/>).</summary>
    public int SeriesCount => Volatile.Read(ref _series);

    /// <summary>The series of one label set; null (and counted as dropped) when the cap is reached and it is new.</summary>
    public HttpSeries? Http(in HttpSeriesKey key)
    {
        if (_http.TryGetValue(key, out var series))
        {
            return series;
        }

        if (Interlocked.Increment(ref _series) > _maxSeries)
        {
            Interlocked.Decrement(ref _series);
            SeriesDropped.Inc();
            return null;
        }

        var created = new HttpSeries(this, key);
        if (!_http.TryAdd(key, created))
        {
            Interlocked.Decrement(ref _series); // another request added it first
            return _http[key];
        }

        return created;
    }

    /// <summary>The AI series of one provider and model; bounded by the same cap as the HTTP series.</summary>
    public AiSeries? Ai(string provider, string model)
    {
        if (_ai.TryGetValue((provider, model), out var series))
        {
            return series;
        }

        if (Interlocked.Increment(ref _series) > _maxSeries)
        {
            Interlocked.Decrement(ref _series);
            SeriesDropped.Inc();
            return null;
        }

        var created = new AiSeries(this, provider, model);
        if (!_ai.TryAdd((provider, model), created))
        {
            Interlocked.Decrement(ref _series);
            return _ai[(provider, model)];
        }

        return created;
    }
}
