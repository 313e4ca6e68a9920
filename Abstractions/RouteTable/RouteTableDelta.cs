namespace Turnpike.RouteTable;

/// <summary>What changed in the route table since a version an edge holds, or the whole table.</summary>
[GenerateSerializer, Immutable]
public sealed record RouteTableDelta
{
    [Id(0)] public long Version { get; init; }

    /// <summary>True when <see cref="Upserts"/> is the whole table and the edge must drop what it had.</summary>
    [Id(1)] public bool IsFullSnapshot { get; init; }
    [Id(2)] public GatewayEntity[] Upserts { get; init; } = [];
    [Id(3)] public EntityRef[] Deletes { get; init; } = [];

    /// <summary>
    /// Names the stored table the versions count in. Another lineage (a store emptied or replaced, as memory storage is
    /// when its silo restarts) may reuse version numbers for other content, so an edge that meets a new lineage pulls
    /// the whole table rather than trust its version.
    /// </summary>
    [Id(4)] public Guid Lineage { get; init; }

    /// <summary>The home epoch of the region that answered (see <see cref="HomeState"/>): a region at a newer epoch refuses it.</summary>
    [Id(5)] public long Epoch { get; init; }
}
