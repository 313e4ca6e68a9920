namespace Turnpike.Metering;

/// <summary>
/// What an edge metered in one flush interval, for one meter grain. (<see cref="EdgeInstance"/>, <see cref="Sequence"/>)
/// names it: an edge sends its batches in sequence and sends one again until it is acknowledged, and a grain
/// applies each at most once.
/// </summary>
[GenerateSerializer]
public sealed record MeterBatch
{
    /// <summary>The edge process that made the batch (a restarted edge replaying its journal keeps the old name).</summary>
    [Id(0)] public string EdgeInstance { get; init; } = "";
    [Id(1)] public long Sequence { get; init; }
    [Id(2)] public MeterEntry[] Entries { get; init; } = [];
}
