namespace Turnpike.RateLimiting;

/// <summary>
/// What this silo's <c>policy: global</c> counters did, for the silo's <c>/metrics</c>: calls to the home's global counter
/// and those that failed, permits leased to edges from what the home granted and from the region's own count while cut
/// off, and permits stranded when a home period ended (leased but unspent: the under-admission).
/// </summary>
public sealed class GlobalQuotaMetrics
{
    private long _homeCalls;
    private long _homeFailures;
    private long _leased;
    private long _fallbackPermits;
    private long _stranded;

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
}
