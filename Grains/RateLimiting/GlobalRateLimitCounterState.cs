namespace Turnpike.RateLimiting;

/// <summary>What a global counter granted in each window's current period, and each region's last request and answer; stored before a grant is answered.</summary>
[GenerateSerializer]
public sealed class GlobalRateLimitCounterState
{
    [Id(0)] public Dictionary<RateLimitWindow, WindowCount> Windows { get; set; } = [];

    [Id(1)] public Dictionary<string, RegionLeaseRecord> Regions { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A region's last request (its lessee and sequence) and the answer it got, with when it was answered (unix ms, the home's clock).</summary>
[GenerateSerializer, Immutable]
public sealed record RegionLeaseRecord(
    [property: Id(0)] Guid Lessee,
    [property: Id(1)] long Sequence,
    [property: Id(2)] QuotaGrant Grant,
    [property: Id(3)] long AnsweredAtMs);
