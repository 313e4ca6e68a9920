namespace Turnpike.RateLimiting;

/// <summary>
/// Permits a counter granted: counted against every window's current period, spendable until
/// <see cref="ValidForMs"/> after the edge sent its request (never past the shortest window's period).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record QuotaGrant
{
    [Id(0)] public long Granted { get; init; }

    /// <summary>Per limit (in request order): the period start the permits count against.</summary>
    [Id(1)] public long[] Periods { get; init; } = [];

    /// <summary>Per limit: permits no edge has been granted yet in that period.</summary>
    [Id(2)] public long[] Remaining { get; init; } = [];

    /// <summary>Per limit: seconds until that window's period ends.</summary>
    [Id(3)] public long[] ResetSeconds { get; init; } = [];

    [Id(4)] public long ValidForMs { get; init; }

    /// <summary>
    /// <c>policy: global</c>: the home region cannot be reached, the region holds nothing and <c>fault_tolerant</c> is off —
    /// the edge answers as when its counters are unreachable until <see cref="ValidForMs"/> has passed.
    /// </summary>
    [Id(5)] public bool Unavailable { get; init; }
}
