namespace Turnpike.Metering;

/// <summary>A meter grain's stored state: its rows, and per edge instance the last batch sequence applied.</summary>
[GenerateSerializer]
public sealed class MeterGrainState
{
    [Id(0)] public List<MeterEntry> Rows { get; set; } = [];
    [Id(1)] public Dictionary<string, long> Applied { get; set; } = new(StringComparer.Ordinal);
}
