namespace Turnpike.RouteTable;

/// <summary>
/// A virtual host name that balances over targets (Kong's <c>upstreams</c>): a service whose host is this
/// upstream's name is forwarded to one of its targets.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record UpstreamEntity : GatewayEntity
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public string Algorithm { get; init; } = "round-robin";
    [Id(2)] public int Slots { get; init; } = 10_000;

    public override EntityKind Kind => EntityKind.Upstream;

    public override string? UniqueName => Name;
}
