namespace Turnpike.RouteTable;

/// <summary>
/// One admin's <c>healthy</c>/<c>unhealthy</c> for a target or one of its addresses. An event, as in Kong: an edge applies
/// each <see cref="Id"/> once, then its health checks take over again (an active probe can bring an unhealthy target back).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TargetHealthOverride
{
    [Id(0)] public Guid Id { get; init; }

    /// <summary><c>ip:port</c> of one resolved address; null for all of the target's addresses.</summary>
    [Id(1)] public string? Address { get; init; }

    [Id(2)] public bool Healthy { get; init; }
}
