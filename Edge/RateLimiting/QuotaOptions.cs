namespace Turnpike.Edge.RateLimiting;

/// <summary>How an edge leases rate-limit permits from the cluster (section <c>Turnpike:Quota</c>).</summary>
internal sealed class QuotaOptions
{
    public const string Section = "Turnpike:Quota";

    /// <summary>A lease is sized to last about this long at the rate the edge currently admits for that counter.</summary>
    public TimeSpan LeaseHorizon { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The most permits one lease asks for.</summary>
    public long MaxLease { get; set; } = 10_000;

    /// <summary>A counter call that takes longer counts as the cluster being unreachable.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>After a failed counter call, how long every counter is treated as unreachable before the next try.</summary>
    public TimeSpan UnreachableBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often unspent permits of expired leases go back to their counters and idle leases are dropped.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);
}
