namespace Turnpike.RouteTable;

/// <summary>Names one entity of the route table.</summary>
[GenerateSerializer, Immutable]
public readonly record struct EntityRef([property: Id(0)] EntityKind Kind, [property: Id(1)] Guid Id);
