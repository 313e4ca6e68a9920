namespace Turnpike.RouteTable;

/// <summary>
/// A consumer of the APIs (Kong's <c>consumers</c> entity): who a request is from once an auth plugin has
/// identified it. Kept in the gateway's table with services and routes, so every edge resolves consumers
/// and their credentials locally (see docs/architecture.md, "Consumers").
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ConsumerEntity : GatewayEntity
{
    [Id(0)] public string? Username { get; init; }
    [Id(1)] public string? CustomId { get; init; }

    public override EntityKind Kind => EntityKind.Consumer;
    public override string? UniqueName => Username;
}
