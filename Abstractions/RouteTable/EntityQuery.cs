namespace Turnpike.RouteTable;

/// <summary>A listing request: one kind, optionally scoped to a parent and filtered by tags, paged.</summary>
[GenerateSerializer, Immutable]
public sealed record EntityQuery
{
    [Id(0)] public EntityKind Kind { get; init; }
    [Id(1)] public int Size { get; init; } = 100;
    /// <summary>List entities whose id sorts after this one (the decoded <c>offset</c>).</summary>
    [Id(2)] public Guid? After { get; init; }
    [Id(3)] public string[]? Tags { get; init; }

    /// <summary>True: an entity needs every tag; false: any one of them.</summary>
    [Id(4)] public bool AllTags { get; init; } = true;
    [Id(5)] public Guid? ServiceId { get; init; }
    [Id(6)] public Guid? RouteId { get; init; }
    [Id(7)] public Guid? ConsumerId { get; init; }

    /// <summary>Consumers: only the one with this <c>custom_id</c> (Kong's <c>?custom_id=</c>).</summary>
    [Id(8)] public string? CustomId { get; init; }

    /// <summary>Targets: only those of this upstream.</summary>
    [Id(9)] public Guid? UpstreamId { get; init; }

    /// <summary>SNIs: only those of this certificate.</summary>
    [Id(10)] public Guid? CertificateId { get; init; }
}
