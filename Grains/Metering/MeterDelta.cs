namespace Turnpike.Metering;

/// <summary>
/// One batch as a meter grain stores it between snapshots: what it added and which batch it was, so that loading
/// replays it at most once. <see cref="Number"/> counts the grain's deltas and tells a current record from one that a
/// snapshot already holds.
/// </summary>
[GenerateSerializer]
public sealed class MeterDelta
{
    [Id(0)] public long Number { get; set; }
    [Id(1)] public string EdgeInstance { get; set; } = "";
    [Id(2)] public long Sequence { get; set; }
    [Id(3)] public MeterEntry[] Entries { get; set; } = [];
}
