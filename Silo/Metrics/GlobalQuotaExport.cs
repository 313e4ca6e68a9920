using Prometheus;
using Turnpike.RateLimiting;

namespace Turnpike.Silo.Metrics;

/// <summary>The <c>policy: global</c> counters' figures (<see cref="GlobalQuotaMetrics"/>) on the silo's <c>/metrics</c>, read at each scrape.</summary>
internal static class GlobalQuotaExport
{
    public static void Register(CollectorRegistry registry, GlobalQuotaMetrics metrics)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        var homeCalls = factory.CreateCounter("turnpike_global_ratelimit_home_calls_total", "Calls of this region's global-policy counters to the home region's global counters");
        var homeFailures = factory.CreateCounter("turnpike_global_ratelimit_home_failures_total", "Calls to the home region's global counters that failed");
        var leased = factory.CreateCounter("turnpike_global_ratelimit_leased_permits_total", "Permits this region's global-policy counters leased to edges from what the home granted");
        var fallback = factory.CreateCounter("turnpike_global_ratelimit_fallback_permits_total", "Permits leased from the region's own count while cut off from home (fault_tolerant)");
        var stranded = factory.CreateCounter("turnpike_global_ratelimit_stranded_permits_total", "Permits the region held when the home's period ended: leased but unspent (under-admission)");
        registry.AddBeforeCollectCallback(() =>
        {
            homeCalls.IncTo(metrics.HomeCalls);
            homeFailures.IncTo(metrics.HomeFailures);
            leased.IncTo(metrics.Leased);
            fallback.IncTo(metrics.FallbackPermits);
            stranded.IncTo(metrics.Stranded);
        });
    }
}
