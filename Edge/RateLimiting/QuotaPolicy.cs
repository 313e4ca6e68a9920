namespace Turnpike.Edge.RateLimiting;

/// <summary>Where a limit is counted: Kong's <c>policy</c> field of the rate-limiting plugins.</summary>
internal enum QuotaPolicy
{
    /// <summary>Per edge (<see cref="LocalQuota"/>): each edge admits up to the limit.</summary>
    Local,

    /// <summary>Across this region's edges, leased from its counter grains: exact within the region.</summary>
    Cluster,

    /// <summary>Across every region: the region's counters lease from a global counter in the home region.</summary>
    Global,
}

internal static class QuotaPolicies
{
    /// <summary>The values the <c>policy</c> field takes, as Kong lists them (ours: no redis; global for several regions).</summary>
    public static readonly string[] Names = ["cluster", "local", "global"];

    public static QuotaPolicy Parse(string name) => name switch
    {
        "local" => QuotaPolicy.Local,
        "global" => QuotaPolicy.Global,
        _ => QuotaPolicy.Cluster,
    };
}
