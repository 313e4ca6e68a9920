namespace Turnpike.RouteTable;

/// <summary>
/// One atomic admin change: deletes, then upserts, validated against the resulting table as a whole.
/// With <see cref="ReplaceAll"/> the upserts become the whole table (declarative config).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RouteTableWrite
{
    [Id(0)] public GatewayEntity[] Upserts { get; init; } = [];
    [Id(1)] public EntityRef[] Deletes { get; init; } = [];
    [Id(2)] public bool ReplaceAll { get; init; }

    /// <summary>Refuse upserts whose id already exists (a POST that names its id) with a primary key violation.</summary>
    [Id(3)] public bool InsertOnly { get; init; }

    /// <summary>
    /// Names this write so that sending it again (its answer was lost) does not apply it twice: the grain
    /// answers a write id it has applied with that write's version. <see cref="Guid.Empty"/>: not named.
    /// </summary>
    [Id(4)] public Guid WriteId { get; init; }

    public static RouteTableWrite Upsert(params GatewayEntity[] entities) => new() { Upserts = entities };

    public static RouteTableWrite Delete(params EntityRef[] refs) => new() { Deletes = refs };
}
