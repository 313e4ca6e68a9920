namespace Turnpike.Metering;

/// <summary>Counters for one consumer (<see cref="Guid.Empty"/>: the anonymous bucket), service and route in the hour starting at <see cref="Hour"/> (unix seconds).</summary>
[GenerateSerializer]
public sealed record MeterEntry
{
    [Id(0)] public Guid ConsumerId { get; init; }
    [Id(1)] public Guid ServiceId { get; init; }
    [Id(2)] public Guid RouteId { get; init; }
    [Id(3)] public long Hour { get; init; }
    [Id(4)] public MeterCounters Counters { get; init; } = new();
}
