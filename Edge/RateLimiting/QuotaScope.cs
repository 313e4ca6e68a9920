namespace Turnpike.Edge.RateLimiting;

/// <summary>
/// Which counters a lease comes from: the region's cluster counters, or (<paramref name="Global"/>) the region's
/// global-policy counters, which lease from the home region's and, cut off from it, follow <paramref name="FaultTolerant"/>.
/// </summary>
internal readonly record struct QuotaScope(bool Global, bool FaultTolerant)
{
    public static readonly QuotaScope Cluster = default;
}
