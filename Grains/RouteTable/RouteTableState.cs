namespace Turnpike.RouteTable;

/// <summary>What the route table persists: the entities and the version they make up.</summary>
[GenerateSerializer, Immutable]
public sealed record RouteTableState
{
    [Id(0)] public long Version { get; init; }
    [Id(1)] public ServiceEntity[] Services { get; init; } = [];
    [Id(2)] public RouteEntity[] Routes { get; init; } = [];
    [Id(3)] public PluginEntity[] Plugins { get; init; } = [];
}
