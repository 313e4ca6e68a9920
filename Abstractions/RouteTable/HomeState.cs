namespace Turnpike.RouteTable;

/// <summary>
/// Which region takes writes, as a region's route table knows it: the home and its epoch (0 for the configured home, one
/// more at each move), the version the epoch began at, and the version the table holds. Stored with the table.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record HomeState
{
    [Id(0)] public long Epoch { get; init; }
    [Id(1)] public string Home { get; init; } = "";

    /// <summary>The last version committed under the previous epoch: every region's table at an older epoch up to this version is a prefix of this one.</summary>
    [Id(2)] public long EpochStart { get; init; }
    [Id(3)] public long Version { get; init; }

    /// <summary>
    /// The epoch the table's content was written under: behind <see cref="Epoch"/> in a region that heard of a move but
    /// still holds an old home's table (perhaps with writes the new home never had), until it takes the new home's changes.
    /// </summary>
    [Id(4)] public long TableEpoch { get; init; }
}
