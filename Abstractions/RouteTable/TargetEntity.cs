namespace Turnpike.RouteTable;

/// <summary>One <c>host:port</c> an upstream balances over, with its weight (0: takes no traffic).</summary>
[GenerateSerializer, Immutable]
public sealed record TargetEntity : GatewayEntity
{
    [Id(0)] public Guid UpstreamId { get; init; }

    /// <summary><c>host:port</c>, as Kong writes it (the port defaults to 8000).</summary>
    [Id(1)] public string Target { get; init; } = "";
    [Id(2)] public int Weight { get; init; } = 100;

    /// <summary>
    /// What an admin last set with <c>PUT .../healthy|unhealthy</c>, per address (null: every address of the target).
    /// Not part of Kong's target JSON: carried by the table so that every edge, and an edge that starts later, applies it.
    /// </summary>
    [Id(3)] public TargetHealthOverride[]? HealthOverrides { get; init; }

    public override EntityKind Kind => EntityKind.Target;

    /// <summary>Unique per upstream: Kong addresses a target as <c>/upstreams/{upstream}/targets/{host:port}</c>.</summary>
    public override string? UniqueName => NameOf(UpstreamId, Target);

    public static string NameOf(Guid upstreamId, string target) => $"{upstreamId:N}:{target}";
}
