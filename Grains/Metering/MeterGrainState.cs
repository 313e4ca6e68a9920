namespace Turnpike.Metering;

/// <summary>
/// A meter grain's snapshot: its rows, per edge instance the last batch sequence applied, and the number of the first
/// delta it does not hold yet (<see cref="MeterStorage"/>).
/// </summary>
[GenerateSerializer]
public sealed class MeterGrainState
{
    [Id(0)] public List<MeterEntry> Rows { get; set; } = [];
    [Id(1)] public Dictionary<string, long> Applied { get; set; } = new(StringComparer.Ordinal);
    [Id(2)] public long DeltasFrom { get; set; }
}
