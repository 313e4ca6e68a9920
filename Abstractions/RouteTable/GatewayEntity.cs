namespace Turnpike.RouteTable;

/// <summary>Fields every admin entity has, as Kong names them.</summary>
[GenerateSerializer, Immutable]
public abstract record GatewayEntity
{
    [Id(0)] public Guid Id { get; init; }

    /// <summary>Unix seconds, as Kong reports them.</summary>
    [Id(1)] public long CreatedAt { get; init; }

    [Id(2)] public long UpdatedAt { get; init; }

    [Id(3)] public string[]? Tags { get; init; }

    public abstract EntityKind Kind { get; }

    /// <summary>The unique name of the entity, where its kind has one.</summary>
    public abstract string? UniqueName { get; }
}
