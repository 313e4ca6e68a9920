using System.Diagnostics.Metrics;

namespace Turnpike.RateLimiting;

/// <summary>
/// What this silo's <c>policy: global</c> counters did, on the silo's <c>/metrics</c> (meter <c>Turnpike.RateLimiting.Global</c>):
/// calls to the home's global counter and those that failed, permits leased to edges (spent or handed back) and from the
/// region's own count while cut off, and permits stranded when a home period ended (the under-admission).
/// </summary>
public sealed class GlobalQuotaMetrics : IDisposable
{
    public const string MeterName = "Turnpike.RateLimiting.Global";

    private readonly Meter _meter = new(MeterName);
    private long _homeCalls;
    private long _homeFailures;
    private long _leased;
    private long _fallbackPermits;
    private long _stranded;

    public GlobalQuotaMetrics()
    {
        _meter.CreateObservableCounter("turnpike_global_ratelimit_home_calls", () => HomeCalls, description: "Calls of this region's global-policy counters to the home region's global counters");
        _meter.CreateObservableCounter("turnpike_global_ratelimit_home_failures", () => HomeFailures, description: "Calls to the home region's global counters that failed or timed out");
        _meter.CreateObservableCounter("turnpike_global_ratelimit_leased_permits", () => Leased, description: "Permits this region's global-policy counters leased to edges from what the home granted");
        _meter.CreateObservableCounter("turnpike_global_ratelimit_fallback_permits", () => FallbackPermits, description: "Permits leased from the region's own count while cut off from home (fault_tolerant)");
        _meter.CreateObservableCounter("turnpike_global_ratelimit_stranded_permits", () => Stranded, description: "Permits held by the region when the home's period ended: leased but unspent (under-admission)");
    }

    public long HomeCalls => Interlocked.Read(ref _homeCalls);

    public long HomeFailures => Interlocked.Read(ref _homeFailures);

    public long Leased => Interlocked.Read(ref _leased);

    public long FallbackPermits => Interlocked.Read(ref _fallbackPermits);

    public long Stranded => Interlocked.Read(ref _stranded);

    public void CountHomeCall() => Interlocked.Increment(ref _homeCalls);

    public void CountHomeFailure() => Interlocked.Increment(ref _homeFailures);

    public void CountLeased(long permits) => Interlocked.Add(ref _leased, permits);

    public void CountFallback(long permits) => Interlocked.Add(ref _fallbackPermits, permits);

    public void CountStranded(long permits) => Interlocked.Add(ref _stranded, permits);

    public void Dispose() => _meter.Dispose();
}
