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

    /// <summary>Consistent hashing: what a request is hashed by (none, consumer, ip, header, path).</summary>
    [Id(3)] public string HashOn { get; init; } = "none";
    [Id(4)] public string HashFallback { get; init; } = "none";
    [Id(5)] public string? HashOnHeader { get; init; }
    [Id(6)] public string? HashFallbackHeader { get; init; }

    /// <summary>Kong's <c>healthchecks</c> object with every default filled in, as JSON (the edges read it).</summary>
    [Id(7)] public string? Healthchecks { get; init; }

    /// <summary>hash_on cookie: the cookie's name, and the path of the cookie set when a client has none.</summary>
    [Id(8)] public string? HashOnCookie { get; init; }
    [Id(9)] public string HashOnCookiePath { get; init; } = "/";

    /// <summary>Kong's <c>host_header</c>: the Host sent to every target instead of the target's own host name.</summary>
    [Id(10)] public string? HostHeader { get; init; }

    public override EntityKind Kind => EntityKind.Upstream;

    public override string? UniqueName => Name;
}
