namespace Turnpike.RouteTable;

/// <summary>The route table's storage header: the version, and the last write, kept until the next one as a redo record.</summary>
[GenerateSerializer]
public sealed record RouteTableHeader
{
    [Id(0)] public long Version { get; init; }
    [Id(1)] public RouteTableWriteRecord? LastWrite { get; init; }

    /// <summary>Names this stored table (see <see cref="RouteTableDelta.Lineage"/>); empty in headers stored before it existed.</summary>
    [Id(2)] public Guid Lineage { get; init; }

    /// <summary>The home epoch, the home (null in headers stored before either existed: the configured home, epoch 0) and the version the epoch began at.</summary>
    [Id(3)] public long HomeEpoch { get; init; }
    [Id(4)] public string? Home { get; init; }
    [Id(5)] public long EpochStart { get; init; }

    /// <summary>The epoch the table's content was written under (by the home's writes or the changes it sent).</summary>
    [Id(6)] public long TableEpoch { get; init; }
}

/// <summary>One applied write as stored: enough to apply it again to the partitions after a crash.</summary>
[GenerateSerializer, Immutable]
public sealed record RouteTableWriteRecord
{
    [Id(0)] public bool ReplaceAll { get; init; }
    [Id(1)] public GatewayEntity[] Upserts { get; init; } = [];
    [Id(2)] public EntityRef[] Deletes { get; init; } = [];

    /// <summary>The write's id, so a write resent after a crash that followed its storing is recognised.</summary>
    [Id(3)] public Guid WriteId { get; init; }
}

/// <summary>The entities whose ids hash to one storage partition.</summary>
[GenerateSerializer]
public sealed record RouteTablePartition
{
    [Id(0)] public GatewayEntity[] Entities { get; init; } = [];
}
