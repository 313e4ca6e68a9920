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
}
