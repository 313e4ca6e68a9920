namespace Turnpike.RateLimiting;

/// <summary>Options of the rate-limit counter grains (section <c>Turnpike:RateLimiting</c>).</summary>
public sealed class RateLimitCounterOptions
{
    public const string Section = "Turnpike:RateLimiting";

    /// <summary>
    /// The longest a lease may be spent, even in a long window: permits an edge does not spend within it come
    /// back to the counter, so a burst on one edge does not strand a minute's quota there.
    /// </summary>
    public TimeSpan MaxLeaseDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary><c>policy: global</c>: a region's lease from the home is sized to last about this long at the rate its edges take permits.</summary>
    public TimeSpan RegionLeaseHorizon { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary><c>policy: global</c>: the longest a region's lease may be spent (never past the period's end on the home's clock); unspent permits then go back home.</summary>
    public TimeSpan RegionMaxLeaseDuration { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary><c>policy: global</c>: the most permits one region's lease asks for.</summary>
    public long RegionMaxLease { get; set; } = 100_000;

    /// <summary><c>policy: global</c>: how long an edge's request waits for the home region before the region counts as cut off.</summary>
    public TimeSpan HomeWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary><c>policy: global</c>: after the home could not be reached, how long a region waits before asking it again.</summary>
    public TimeSpan HomeRetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// <c>policy: global</c> with <c>fault_tolerant</c>: the share of each limit a region cut off from home admits per period,
    /// counted in the region, once it has spent what it held. Unset: one over the number of regions.
    /// </summary>
    public double? PartitionShare { get; set; }
}
