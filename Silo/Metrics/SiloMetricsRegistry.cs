using Microsoft.AspNetCore.Http;
using Prometheus;

namespace Turnpike.Silo.Metrics;

/// <summary>
/// The silo's <c>/metrics</c>: Orleans' own instruments (activations per grain type, catalog, messaging, storage
/// latencies, from its <c>Microsoft.Orleans</c> meter), <see cref="GrainCallMetrics"/> and the global rate limits' figures, in the Prometheus text
/// format (OpenMetrics when asked).
/// </summary>
internal sealed class SiloMetricsRegistry : IDisposable
{
    private readonly IDisposable _orleans;

    public SiloMetricsRegistry(Turnpike.RateLimiting.GlobalQuotaMetrics globalQuota)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        _orleans = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            InstrumentFilterPredicate = instrument => instrument.Meter.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal),
        });
        GlobalQuotaExport.Register(Registry, globalQuota);
    }

    public CollectorRegistry Registry { get; }

    public async Task WriteAsync(HttpContext context)
    {
        var openMetrics = context.Request.Headers.Accept.ToString().Contains("application/openmetrics-text", StringComparison.OrdinalIgnoreCase);
        context.Response.ContentType = openMetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8" : "text/plain; version=0.0.4; charset=utf-8";
        await Registry.CollectAndExportAsTextAsync(context.Response.Body, openMetrics ? ExpositionFormat.OpenMetricsText : ExpositionFormat.PrometheusText, context.RequestAborted);
    }

    public void Dispose() => _orleans.Dispose();
}
