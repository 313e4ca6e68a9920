namespace Turnpike.RouteTable;

/// <summary>What an edge tells the route table when it (re)subscribes: who it is and what it serves.</summary>
[GenerateSerializer, Immutable]
public sealed record EdgeReport
{
    [Id(0)] public string EdgeId { get; init; } = "";
    [Id(1)] public string Region { get; init; } = "";
    [Id(2)] public string Hostname { get; init; } = "";
    [Id(3)] public long AppliedVersion { get; init; }

    /// <summary>Unix milliseconds when the route table last heard from the edge (set by the grain).</summary>
    [Id(4)] public long LastSeenMs { get; init; }

    /// <summary>The targets this edge checks the health of, and what it found (for <c>/upstreams/{u}/health</c>).</summary>
    [Id(5)] public TargetHealthReport[] TargetHealth { get; init; } = [];
}
