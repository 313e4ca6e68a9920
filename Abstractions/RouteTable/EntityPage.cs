namespace Turnpike.RouteTable;

/// <summary>A page of a listing; <see cref="NextAfter"/> is null on the last page.</summary>
[GenerateSerializer, Immutable]
public sealed record EntityPage
{
    [Id(0)] public GatewayEntity[] Items { get; init; } = [];
    [Id(1)] public Guid? NextAfter { get; init; }
}
