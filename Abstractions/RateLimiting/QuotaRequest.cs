namespace Turnpike.RateLimiting;

/// <summary>An edge asking a counter for permits, and handing back what it did not spend of an earlier lease.</summary>
[GenerateSerializer, Immutable]
public sealed record QuotaRequest
{
    /// <summary>The limits in force (the edge's plugin configuration); a counter follows them as they change.</summary>
    [Id(0)] public WindowLimit[] Limits { get; init; } = [];

    /// <summary>How many permits the edge would like; 0 to only return unspent ones.</summary>
    [Id(1)] public long Wanted { get; init; }

    /// <summary>
    /// Permits of an expired lease left unspent, and the period each window was in when they were granted; negative,
    /// a charge for permits used beyond a lease (a cost known only afterwards, as an LLM call's tokens).
    /// </summary>
    [Id(2)] public long Returned { get; init; }

    [Id(3)] public long[] ReturnedPeriods { get; init; } = [];

    /// <summary>
    /// <c>policy: global</c> only: what the plugin's <c>fault_tolerant</c> says to do once the region is cut off from the home
    /// region and has spent what it held (true: admit up to the region's share of the limit, counted in the region; false: refuse).
    /// </summary>
    [Id(4)] public bool FaultTolerant { get; init; }
}
