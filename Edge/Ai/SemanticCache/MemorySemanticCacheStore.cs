using Microsoft.Extensions.Options;

namespace Turnpike.Edge.Ai.SemanticCache;

/// <summary>
/// <c>vectordb.strategy: memory</c>: this edge's own index, one for every instance (each in its namespace), bounded by
/// <see cref="SemanticCacheOptions.MaxEntries"/> and <see cref="SemanticCacheOptions.MemorySize"/> with the least
/// recently used evicted first, as proxy-cache's memory is. Expired entries are dropped when met, so nothing sweeps
/// on a timer. A search is a linear scan of the namespace's vectors, made outside the lock on a copy of the list:
/// with the default bounds that is at most 4,096 dot products.
/// </summary>
internal sealed class MemorySemanticCacheStore(IOptions<SemanticCacheOptions> options, TimeProvider time) : ISemanticCacheStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<string, LinkedListNode<Entry>>> _spaces = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new();
    private readonly int _maxEntries = options.Value.MaxEntries;
    private readonly long _capacity = options.Value.MemorySize;
    private long _bytes;
    private long _evictions;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _recency.Count;
            }
        }
    }

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Evictions => Interlocked.Read(ref _evictions);

    public Task<CachedAnswer?> GetAsync(string space, string key, CancellationToken cancellationToken) => Task.FromResult(Get(space, key));

    public Task<SemanticCacheHit?> SearchAsync(string space, float[] vector, DistanceMetric metric, double threshold, CancellationToken cancellationToken) =>
        Task.FromResult(Search(space, vector, metric, threshold));

    public Task SetAsync(string space, CachedAnswer answer, CancellationToken cancellationToken)
    {
        Set(space, answer);
        return Task.CompletedTask;
    }

    public CachedAnswer? Get(string space, string key)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        lock (_lock)
        {
            if (!_spaces.TryGetValue(space, out var entries) || !entries.TryGetValue(key, out var node))
            {
                return null;
            }

            if (node.Value.Answer.Expired(now))
            {
                RemoveNode(node);
                return null;
            }

            Touch(node);
            return node.Value.Answer;
        }
    }

    public SemanticCacheHit? Search(string space, float[] vector, DistanceMetric metric, double threshold)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        LinkedListNode<Entry>[] candidates;
        lock (_lock)
        {
            if (!_spaces.TryGetValue(space, out var entries))
            {
                return null;
            }

            candidates = [.. entries.Values];
        }

        LinkedListNode<Entry>? best = null;
        var bestDistance = double.MaxValue;
        foreach (var node in candidates)
        {
            var answer = node.Value.Answer;
            if (answer.Vector is not { } stored || stored.Length != vector.Length || answer.Expired(now))
            {
                continue;
            }

            var distance = SemanticVectors.Distance(vector, stored, metric);
            if (distance <= threshold && distance < bestDistance)
            {
                (best, bestDistance) = (node, distance);
            }
        }

        if (best is null)
        {
            return null;
        }

        lock (_lock)
        {
            if (best.List is not null)
            {
                Touch(best);
            }
        }

        return new SemanticCacheHit(best.Value.Answer, bestDistance);
    }

    /// <summary>Stores <paramref name="answer"/> under its key, evicting the least recently used to stay within bounds; false when it is too large.</summary>
    public bool Set(string space, CachedAnswer answer)
    {
        if (answer.Size > _capacity / 2)
        {
            return false;
        }

        lock (_lock)
        {
            if (!_spaces.TryGetValue(space, out var entries))
            {
                _spaces[space] = entries = new(StringComparer.Ordinal);
            }

            if (entries.TryGetValue(answer.Key, out var existing))
            {
                RemoveNode(existing);
            }

            while ((_recency.Count >= _maxEntries || _bytes + answer.Size > _capacity) && _recency.Last is { } oldest)
            {
                RemoveNode(oldest);
                _evictions++;
            }

            if (!_spaces.TryGetValue(space, out entries))
            {
                _spaces[space] = entries = new(StringComparer.Ordinal); // the eviction emptied and dropped it
            }

            entries[answer.Key] = _recency.AddFirst(new Entry(space, answer));
            _bytes += answer.Size;
        }

        return true;
    }

    private void Touch(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _recency.AddFirst(node);
    }

    private void RemoveNode(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        if (_spaces.TryGetValue(node.Value.Space, out var entries))
        {
            entries.Remove(node.Value.Answer.Key);
            if (entries.Count == 0)
            {
                _spaces.Remove(node.Value.Space);
            }
        }

        _bytes -= node.Value.Answer.Size;
    }

    private sealed record Entry(string Space, CachedAnswer Answer);
}
