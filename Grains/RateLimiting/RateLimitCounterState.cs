namespace Turnpike.RateLimiting;

/// <summary>What a counter has granted in each window's current period; stored before any grant is answered.</summary>
[GenerateSerializer]
public sealed class RateLimitCounterState
{
    [Id(0)] public Dictionary<RateLimitWindow, WindowCount> Windows { get; set; } = [];
}

[GenerateSerializer, Immutable]
public sealed record WindowCount([property: Id(0)] long Period, [property: Id(1)] long Granted);
