namespace Turnpike.RouteTable;

/// <summary>One target's health as one edge sees it (health checks run on every edge, as in Kong).</summary>
[GenerateSerializer, Immutable]
public sealed record TargetHealthReport([property: Id(0)] Guid UpstreamId, [property: Id(1)] string Target, [property: Id(2)] bool Healthy);
