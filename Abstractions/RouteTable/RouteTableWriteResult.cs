namespace Turnpike.RouteTable;

/// <summary>The outcome of a <see cref="RouteTableWrite"/>: the new version and the stored entities, or an error and no change.</summary>
[GenerateSerializer, Immutable]
public sealed record RouteTableWriteResult
{
    [Id(0)] public long Version { get; init; }
    [Id(1)] public AdminError? Error { get; init; }

    /// <summary>The entities as stored (timestamps filled in), in the order of the write's upserts.</summary>
    [Id(2)] public GatewayEntity[] Stored { get; init; } = [];

    public bool Succeeded => Error is null;
}
