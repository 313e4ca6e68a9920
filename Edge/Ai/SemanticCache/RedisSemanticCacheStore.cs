using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using StackExchange.Redis;

namespace Turnpike.Edge.Ai.SemanticCache;

/// <summary>
/// <c>vectordb.strategy: redis</c> on a plain Redis (Debian's Redis 7 has no vector search module): each answer is a
/// hash <c>turnpike:ai-semantic-cache:{space}:{key}</c> (answer, vector as float32 bytes, times, model, tokens) that
/// expires with its TTL, and each namespace has a sorted set <c>…:{space}:index</c> of its keys scored by expiry time,
/// trimmed to <see cref="SemanticCacheOptions.RedisCandidates"/> (the oldest dropped, hashes and all). A search reads
/// the live keys of the namespace, fetches the vectors this edge has not seen yet (a key's vector never changes: it is
/// the embedding of the prompt the key hashes, so each edge keeps those it fetched), and compares them here. So the
/// cache is shared by every edge, and a lookup costs two or three round trips and one scan of at most
/// <c>RedisCandidates</c> vectors. Keys are hex digests: nothing a client sends becomes part of a Redis key.
/// </summary>
internal sealed class RedisSemanticCacheStore(SemanticCacheRedis redis, SemanticCacheRedisConnections connections, int candidates, TimeProvider time) : ISemanticCacheStore
{
    private const string Prefix = "turnpike:ai-semantic-cache:";
    private static readonly RedisValue[] AnswerFields = ["c", "t", "l", "m", "n"];

    /// <summary>Vectors fetched before, by entry key; emptied when it outgrows twice the candidates, so it stays bounded.</summary>
    private readonly ConcurrentDictionary<string, float[]> _vectors = new(StringComparer.Ordinal);

    public async Task<CachedAnswer?> GetAsync(string space, string key, CancellationToken cancellationToken)
    {
        var db = await connections.DatabaseAsync(redis);
        var values = await db.HashGetAsync(EntryKey(space, key), AnswerFields);
        return Read(key, values, vector: null, time.GetUtcNow().ToUnixTimeSeconds());
    }

    public async Task<SemanticCacheHit?> SearchAsync(string space, float[] vector, DistanceMetric metric, double threshold, CancellationToken cancellationToken)
    {
        var db = await connections.DatabaseAsync(redis);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var keys = await db.SortedSetRangeByScoreAsync(IndexKey(space), now + 1, double.PositiveInfinity, Exclude.None, Order.Descending, 0, candidates);
        var missing = keys.Select(k => (string)k!).Where(k => !_vectors.ContainsKey(k)).ToArray();
        if (missing.Length > 0)
        {
            var fetched = await Task.WhenAll(missing.Select(k => db.HashGetAsync(EntryKey(space, k), "v")));
            if (_vectors.Count + missing.Length > 2 * candidates)
            {
                _vectors.Clear();
            }

            for (var i = 0; i < missing.Length; i++)
            {
                if (fetched[i] is { IsNull: false } bytes && ((byte[])bytes!).Length % 4 == 0)
                {
                    _vectors[missing[i]] = MemoryMarshal.Cast<byte, float>((byte[])bytes!).ToArray();
                }
            }
        }

        string? best = null;
        var bestDistance = double.MaxValue;
        foreach (var key in keys)
        {
            if (_vectors.TryGetValue((string)key!, out var stored) && stored.Length == vector.Length
                && SemanticVectors.Distance(vector, stored, metric) is var distance && distance <= threshold && distance < bestDistance)
            {
                (best, bestDistance) = ((string)key!, distance);
            }
        }

        if (best is null)
        {
            return null;
        }

        var values = await db.HashGetAsync(EntryKey(space, best), AnswerFields);
        return Read(best, values, _vectors.GetValueOrDefault(best), now) is { } answer ? new SemanticCacheHit(answer, bestDistance) : null;
    }

    public async Task SetAsync(string space, CachedAnswer answer, CancellationToken cancellationToken)
    {
        var db = await connections.DatabaseAsync(redis);
        var entry = EntryKey(space, answer.Key);
        var index = IndexKey(space);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        HashEntry[] fields =
        [
            new("c", answer.Completion),
            new("t", answer.StoredAt),
            new("l", answer.Ttl),
            new("m", answer.ModelLabel),
            new("n", answer.Tokens),
            new("v", answer.Vector is { } v ? MemoryMarshal.AsBytes(v.AsSpan()).ToArray() : RedisValue.EmptyString),
        ];
        var batch = db.CreateBatch();
        var writes = new List<Task>
        {
            batch.HashSetAsync(entry, fields),
            batch.KeyExpireAsync(entry, TimeSpan.FromSeconds(answer.Ttl)),
            batch.SortedSetAddAsync(index, answer.Key, answer.StoredAt + answer.Ttl),
            batch.SortedSetRemoveRangeByScoreAsync(index, double.NegativeInfinity, now),
            batch.KeyExpireAsync(index, TimeSpan.FromSeconds(answer.Ttl)), // outlives every entry: they share the instance's cache_ttl
        };
        var length = batch.SortedSetLengthAsync(index);
        batch.Execute();
        await Task.WhenAll(writes);

        // Over the bound: the entries nearest expiry go, their hashes with them.
        if (await length is var count && count > candidates)
        {
            var dropped = await db.SortedSetPopAsync(index, count - candidates, Order.Ascending);
            if (dropped.Length > 0)
            {
                await db.KeyDeleteAsync([.. dropped.Select(d => (RedisKey)EntryKey(space, (string)d.Element!))]);
            }
        }
    }

    private static string IndexKey(string space) => Prefix + space + ":index";

    private static string EntryKey(string space, string key) => Prefix + space + ":" + key;

    private static CachedAnswer? Read(string key, RedisValue[] values, float[]? vector, long now)
    {
        if (values.Length != AnswerFields.Length || values[0].IsNull || !values[1].TryParse(out long storedAt) || !values[2].TryParse(out long ttl) || !values[4].TryParse(out long tokens))
        {
            return null;
        }

        var answer = new CachedAnswer(key, (string)values[0]!, vector, storedAt, ttl, (string?)values[3] ?? "", tokens);
        return answer.Expired(now) ? null : answer;
    }
}
