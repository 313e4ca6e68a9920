namespace Turnpike.RouteTable;

/// <summary>
/// The recent changes, in memory only, so edges catch up by delta. An edge older than what the log
/// holds (or any edge after a reactivation) gets the full table instead.
/// </summary>
internal sealed class RouteTableChangeLog(int capacity)
{
    private readonly Queue<(long Version, EntityRef Ref, GatewayEntity? Entity)> _entries = new();

    /// <summary>The oldest version from which the log can bring an edge up to date.</summary>
    public long Floor { get; private set; } = long.MaxValue;

    public void Reset(long version)
    {
        _entries.Clear();
        Floor = version;
    }

    public void Append(long version, IEnumerable<EntityRef> deleted, IEnumerable<GatewayEntity> upserted)
    {
        foreach (var reference in deleted)
        {
            _entries.Enqueue((version, reference, null));
        }

        foreach (var entity in upserted)
        {
            _entries.Enqueue((version, new EntityRef(entity.Kind, entity.Id), entity));
        }

        while (_entries.Count > capacity)
        {
            Floor = _entries.Dequeue().Version;
            while (_entries.Count > 0 && _entries.Peek().Version == Floor)
            {
                _entries.Dequeue();
            }
        }
    }

    /// <summary>The net changes after <paramref name="version"/>, or null when the log no longer reaches back that far.</summary>
    public (GatewayEntity[] Upserts, EntityRef[] Deletes)? Since(long version)
    {
        if (version < Floor)
        {
            return null;
        }

        var latest = new Dictionary<EntityRef, GatewayEntity?>();
        foreach (var (entryVersion, reference, entity) in _entries)
        {
            if (entryVersion > version)
            {
                latest[reference] = entity;
            }
        }

        return (latest.Values.OfType<GatewayEntity>().ToArray(), latest.Where(e => e.Value is null).Select(e => e.Key).ToArray());
    }
}
