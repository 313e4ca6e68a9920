using Orleans.Storage;

namespace Turnpike.RouteTable;

/// <summary>
/// Persists the route table in fixed partitions so that a write stores only what it touched, not the whole
/// table. Each write first stores the header with the new version and the write itself (the commit point),
/// then the partitions it changed. Loading applies the header's write again (idempotent), so a crash
/// between the two leaves no half-applied write behind.
/// </summary>
internal sealed class RouteTableStorage
{
    public const int PartitionCount = 128;
    private const string HeaderName = "routetable";

    private readonly IGrainStorage _storage;
    private readonly GrainId _grainId;
    private readonly GrainState<RouteTableHeader> _header = new(new RouteTableHeader());
    private readonly GrainState<RouteTablePartition>[] _partitions;
    private readonly Dictionary<Guid, GatewayEntity>[] _members;

    public RouteTableStorage(IGrainStorage storage, GrainId grainId)
    {
        _storage = storage;
        _grainId = grainId;
        _partitions = [.. Enumerable.Range(0, PartitionCount).Select(_ => new GrainState<RouteTablePartition>(new RouteTablePartition()))];
        _members = [.. Enumerable.Range(0, PartitionCount).Select(_ => new Dictionary<Guid, GatewayEntity>())];
    }

    public long Version => _header.State?.Version ?? 0;

    /// <summary>The stored table's name, made when the store holds none yet (kept from the next write on).</summary>
    public Guid Lineage { get; set; }

    /// <summary>The stored home (null: none stored yet), its epoch and the version it began at; the next save keeps what is set here.</summary>
    public (long Epoch, string? Home, long EpochStart, long TableEpoch) HomeRecord { get; set; }

    /// <summary>The id of the last stored write (the one a crash may have left unanswered).</summary>
    public Guid LastWriteId => _header.State?.LastWrite?.WriteId ?? Guid.Empty;

    public async Task<IReadOnlyList<GatewayEntity>> LoadAsync()
    {
        await _storage.ReadStateAsync(HeaderName, _grainId, _header);
        _header.State ??= new RouteTableHeader();
        Lineage = _header.State.Lineage == Guid.Empty ? Guid.NewGuid() : _header.State.Lineage;
        HomeRecord = (_header.State.HomeEpoch, _header.State.Home, _header.State.EpochStart, _header.State.TableEpoch);
        await ForEachPartitionAsync(Enumerable.Range(0, PartitionCount), index => _storage.ReadStateAsync(PartitionName(index), _grainId, _partitions[index]));
        for (var i = 0; i < PartitionCount; i++)
        {
            foreach (var entity in _partitions[i].State?.Entities ?? [])
            {
                _members[i][entity.Id] = entity;
            }
        }

        if (_header.State.LastWrite is { } last)
        {
            var touched = Apply(last);
            await WritePartitionsAsync(touched);
        }

        return [.. _members.SelectMany(m => m.Values)];
    }

    public async Task SaveAsync(long version, RouteTableWriteRecord write)
    {
        _header.State = new RouteTableHeader
        {
            Version = version,
            LastWrite = write,
            Lineage = Lineage,
            HomeEpoch = HomeRecord.Epoch,
            Home = HomeRecord.Home,
            EpochStart = HomeRecord.EpochStart,
            TableEpoch = HomeRecord.TableEpoch,
        };
        await _storage.WriteStateAsync(HeaderName, _grainId, _header);
        await WritePartitionsAsync(Apply(write));
    }

    private HashSet<int> Apply(RouteTableWriteRecord write)
    {
        var touched = new HashSet<int>();
        if (write.ReplaceAll)
        {
            // As RouteTableContent.Apply: a replacement covers the declarative kinds only, and keeps admins.
            for (var i = 0; i < PartitionCount; i++)
            {
                foreach (var replaced in _members[i].Values.Where(e => e.Kind.IsDeclarative()).Select(e => e.Id).ToList())
                {
                    _members[i].Remove(replaced);
                    touched.Add(i);
                }
            }
        }

        foreach (var reference in write.Deletes)
        {
            var index = PartitionOf(reference.Id);
            if (_members[index].Remove(reference.Id))
            {
                touched.Add(index);
            }
        }

        foreach (var entity in write.Upserts)
        {
            var index = PartitionOf(entity.Id);
            _members[index][entity.Id] = entity;
            touched.Add(index);
        }

        return touched;
    }

    private Task WritePartitionsAsync(HashSet<int> touched) => ForEachPartitionAsync(touched, index =>
    {
        _partitions[index].State = new RouteTablePartition { Entities = [.. _members[index].Values] };
        return _storage.WriteStateAsync(PartitionName(index), _grainId, _partitions[index]);
    });

    /// <summary>A few partitions at a time: all 128 at once would take as many database connections (PostgreSQL's default limit is 100).</summary>
    private static Task ForEachPartitionAsync(IEnumerable<int> indexes, Func<int, Task> action) =>
        Parallel.ForEachAsync(indexes, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (index, _) => await action(index));

    private static int PartitionOf(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes);
        return (bytes[0] ^ bytes[15]) % PartitionCount;
    }

    private static string PartitionName(int index) => $"routetable-p{index:D3}";
}
