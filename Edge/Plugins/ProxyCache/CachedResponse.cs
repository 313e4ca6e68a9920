namespace Turnpike.Edge.Plugins.ProxyCache;

/// <summary>
/// One stored answer: what a hit replays, and how long it is fresh (<see cref="Ttl"/>) and kept (<see cref="StorageTtl"/>),
/// in seconds from <see cref="StoredAt"/> (unix seconds). <see cref="PluginId"/> is the instance that stored it.
/// </summary>
internal sealed record CachedResponse(
    string Key, Guid PluginId, string Dictionary, int Status, (string Name, string[] Values)[] Headers, byte[] Body, long StoredAt, long Ttl, long StorageTtl)
{
    /// <summary>What the entry costs the edge's memory: body, headers, key and bookkeeping.</summary>
    public long Size { get; } = Body.Length + Key.Length * 2 + 256 + Headers.Sum(h => (h.Name.Length + h.Values.Sum(v => v.Length)) * 2 + 64);

    public long Age(long now) => Math.Max(0, now - StoredAt);
}
