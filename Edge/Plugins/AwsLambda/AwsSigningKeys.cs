using System.Collections.Concurrent;

namespace Turnpike.Edge.Plugins.AwsLambda;

/// <summary>
/// Signing keys, derived once per (secret, day, region, service) rather than four HMACs per request. Only the current
/// day's keys are kept: the first key of a new day drops the others, so the cache holds one key per credential and
/// region in use, and at most <see cref="MaxKeys"/> whatever the configuration.
/// </summary>
internal sealed class AwsSigningKeys
{
    public const int MaxKeys = 1024;

    private readonly ConcurrentDictionary<(string Secret, string Date, string Region, string Service), byte[]> _keys = new();
    private string _day = "";
    private long _derived;

    /// <summary>How many keys were derived (not found in the cache) so far.</summary>
    public long Derived => Interlocked.Read(ref _derived);

    public byte[] For(string secret, string date, string region, string service)
    {
        var key = (secret, date, region, service);
        if (_keys.TryGetValue(key, out var cached))
        {
            return cached;
        }

        if (!string.Equals(Volatile.Read(ref _day), date, StringComparison.Ordinal) || _keys.Count >= MaxKeys)
        {
            // A new day (or a flood of configurations): yesterday's keys sign nothing any more.
            Volatile.Write(ref _day, date);
            foreach (var old in _keys.Keys)
            {
                if (old.Date != date || _keys.Count >= MaxKeys)
                {
                    _keys.TryRemove(old, out _);
                }
            }
        }

        Interlocked.Increment(ref _derived);
        var derived = AwsSignatureV4.DeriveKey(secret, date, region, service);
        _keys[key] = derived;
        return derived;
    }

    public int Count => _keys.Count;
}
