using Turnpike.Edge.Hosting;

namespace Turnpike.Edge.Plugins.ProxyCache;

/// <summary>
/// This edge's proxy-cache memory (Kong's <c>strategy: memory</c>, one per edge): at most
/// <see cref="ProxyCacheOptions.MemorySize"/> bytes of entries, the least recently used evicted first. Entries whose
/// storage time ran out are dropped when met (a lookup, an eviction), so nothing sweeps on a timer. One short lock:
/// a hit moves its entry to the front of the list.
/// </summary>
internal sealed class ProxyCacheStore(Microsoft.Extensions.Options.IOptions<ProxyCacheOptions> options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<CachedResponse>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<CachedResponse> _recency = new();
    private readonly long _capacity = options.Value.MemorySize;
    private long _bytes;
    private long _evictions;

    /// <summary>Notified when an entry is stored: the purge follower sleeps while the cache is empty.</summary>
    public WorkSignal Stored { get; } = new();

    public long MaxEntrySize { get; } = options.Value.MaxEntrySize;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>The entry under <paramref name="key"/> still within its storage time at <paramref name="now"/> (unix seconds).</summary>
    public CachedResponse? Get(string key, long now)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var node))
            {
                return null;
            }

            if (node.Value.Age(now) >= node.Value.StorageTtl)
            {
                RemoveNode(node);
                return null;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value;
        }
    }

    /// <summary>Stores <paramref name="entry"/> (replacing its key's), evicting the least recently used to make room; false when it is too large.</summary>
    public bool Set(CachedResponse entry)
    {
        if (entry.Size > MaxEntrySize || entry.Size > _capacity)
        {
            return false;
        }

        lock (_lock)
        {
            if (_entries.TryGetValue(entry.Key, out var existing))
            {
                RemoveNode(existing);
            }

            while (_bytes + entry.Size > _capacity && _recency.Last is { } oldest)
            {
                RemoveNode(oldest);
                _evictions++;
            }

            _entries[entry.Key] = _recency.AddFirst(entry);
            _bytes += entry.Size;
        }

        Stored.Notify();
        return true;
    }

    /// <summary>Drops <paramref name="key"/> (only the entry <paramref name="pluginId"/> stored, when given); false when there was none.</summary>
    public bool Remove(string key, Guid? pluginId = null)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var node) || (pluginId is { } id && node.Value.PluginId != id))
            {
                return false;
            }

            RemoveNode(node);
            return true;
        }
    }

    /// <summary>Drops every entry (those of <paramref name="pluginId"/>, when given).</summary>
    public void Clear(Guid? pluginId = null)
    {
        lock (_lock)
        {
            for (var node = _recency.First; node is not null;)
            {
                var next = node.Next;
                if (pluginId is null || node.Value.PluginId == pluginId)
                {
                    RemoveNode(node);
                }

                node = next;
            }
        }
    }

    private void RemoveNode(LinkedListNode<CachedResponse> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Key);
        _bytes -= node.Value.Size;
    }
}
