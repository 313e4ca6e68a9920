namespace Turnpike.Edge.RouteTable;

/// <summary>How the route table sync fares, for <c>/metrics</c>: versions applied (and how many came pushed), failed attempts, resyncs after lost contact, the current back-off.</summary>
internal sealed class RouteTableSyncMetrics
{
    private long _applied;
    private long _fullSnapshots;
    private long _pushed;
    private long _failures;
    private long _resyncs;
    private long _backoffMilliseconds;

    /// <summary>Versions applied (deltas and whole tables).</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Whole tables applied (the first, and after the grain could not give a delta).</summary>
    public long FullSnapshots => Interlocked.Read(ref _fullSnapshots);

    /// <summary>Versions applied from the change the route table sent with its notice, without a pull.</summary>
    public long Pushed => Interlocked.Read(ref _pushed);

    /// <summary>Attempts to reach the route table that failed.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Times the edge regained contact after losing it and synchronised again: one per outage.</summary>
    public long Resyncs => Interlocked.Read(ref _resyncs);

    /// <summary>The wait before the next attempt while the route table is unreachable; 0 while in contact.</summary>
    public TimeSpan Backoff => TimeSpan.FromMilliseconds(Interlocked.Read(ref _backoffMilliseconds));

    /// <summary>Wall-clock time (Unix ms) at which the current version was applied; the benchmark reads it to measure propagation.</summary>
    public long AppliedAtUnixMs { get; private set; }

    public void CountApplied(bool full, DateTimeOffset now)
    {
        Interlocked.Increment(ref _applied);
        if (full)
        {
            Interlocked.Increment(ref _fullSnapshots);
        }

        AppliedAtUnixMs = now.ToUnixTimeMilliseconds();
    }

    public void CountPushed() => Interlocked.Increment(ref _pushed);

    public void CountFailure(TimeSpan backoff)
    {
        Interlocked.Increment(ref _failures);
        Interlocked.Exchange(ref _backoffMilliseconds, (long)backoff.TotalMilliseconds);
    }

    public void CountResync() => Interlocked.Increment(ref _resyncs);

    public void InContact() => Interlocked.Exchange(ref _backoffMilliseconds, 0);
}
