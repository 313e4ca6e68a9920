using Microsoft.AspNetCore.Http;
using Prometheus;

namespace Turnpike.Edge.Observability;

/// <summary>
/// The status listener's <c>GET /metrics</c>: the registry in Prometheus' text format, or in OpenMetrics when the
/// scraper asks for it (<c>Accept: application/openmetrics-text</c>, as Prometheus does by default).
/// </summary>
internal sealed class MetricsEndpoint(GatewayMetrics metrics, NodeMetrics node)
{
    private const string OpenMetrics = "application/openmetrics-text";

    /// <summary>Keeps <see cref="NodeMetrics"/> alive: its families exist (and are filled) from the first scrape on.</summary>
    public NodeMetrics Node { get; } = node;

    public async Task WriteAsync(HttpContext context)
    {
        var openMetrics = context.Request.Headers.Accept.ToString().Contains(OpenMetrics, StringComparison.OrdinalIgnoreCase);
        context.Response.ContentType = openMetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8" : "text/plain; version=0.0.4; charset=utf-8";
        await metrics.Registry.CollectAndExportAsTextAsync(
            context.Response.Body, openMetrics ? ExpositionFormat.OpenMetricsText : ExpositionFormat.PrometheusText, context.RequestAborted);
    }
}
