namespace Turnpike.Edge.RateLimiting;

/// <summary>
/// Rate-limiting counts for <c>/metrics</c>: what was admitted and rejected, and how many counter grain calls that
/// took. Grain calls per admitted request is the figure leasing keeps far below one.
/// </summary>
internal sealed class RateLimitMetrics
{
    private long _admitted;
    private long _rejected;
    private long _grainCalls;
    private long _grainFailures;
    private long _localFallbacks;

    public long Admitted => Interlocked.Read(ref _admitted);

    public long Rejected => Interlocked.Read(ref _rejected);

    public long GrainCalls => Interlocked.Read(ref _grainCalls);

    public long GrainFailures => Interlocked.Read(ref _grainFailures);

    /// <summary>Requests decided by this edge's own counters because the cluster was unreachable (<c>fault_tolerant</c>).</summary>
    public long LocalFallbacks => Interlocked.Read(ref _localFallbacks);

    public void CountAdmitted() => Interlocked.Increment(ref _admitted);

    public void CountRejected() => Interlocked.Increment(ref _rejected);

    public void CountGrainCall() => Interlocked.Increment(ref _grainCalls);

    public void CountGrainFailure() => Interlocked.Increment(ref _grainFailures);

    public void CountLocalFallback() => Interlocked.Increment(ref _localFallbacks);
}
