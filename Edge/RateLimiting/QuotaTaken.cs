using Turnpike.RateLimiting;

namespace Turnpike.Edge.RateLimiting;

/// <summary>A cost taken from a counter for one request: enough to settle it once the real cost is known.</summary>
/// <remarks><paramref name="Periods"/>: the cluster lease's periods the cost came from; null for a local count, taken at <paramref name="UnixSeconds"/>.</remarks>
internal readonly record struct QuotaTaken(string Key, long Cost, long[]? Periods, long UnixSeconds)
{
    /// <summary>
    /// The request turned out to cost <paramref name="actual"/>, not what was taken: the difference is given back or taken
    /// too, where it was taken (the cluster lease's periods, or this edge's own count of <paramref name="limits"/>).
    /// </summary>
    public void Settle(long actual, WindowLimit[] limits, ClusterQuota cluster, LocalQuota local)
    {
        var delta = actual - Cost;
        if (delta == 0)
        {
            return;
        }

        if (Periods is { } periods)
        {
            cluster.Settle(Key, delta, periods);
        }
        else
        {
            local.Settle(Key, limits, delta, UnixSeconds);
        }
    }
}
