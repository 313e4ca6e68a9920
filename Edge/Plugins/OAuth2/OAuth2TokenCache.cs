using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Hosting;
using Turnpike.OAuth2;

namespace Turnpike.Edge.Plugins.OAuth2;

/// <summary>
/// This edge's memory of access tokens: a token seen once is answered from here, so a proxied request with a known token
/// costs no cluster call. A token not in memory is asked of its shard once (concurrent requests for it share the call),
/// and a token the cluster does not know is remembered as unknown for <see cref="OAuth2Options.UnknownTokenTime"/>.
/// Expiry is checked by the caller against the clock, so nothing sweeps; the revocation log removes entries
/// (<see cref="OAuth2Revocations"/>), and past <see cref="OAuth2Options.MaxCachedTokens"/> the memory starts afresh
/// (costing one cluster call per token in use), so it never grows without bound.
/// </summary>
internal sealed class OAuth2TokenCache(IGrainFactory grains, IOptions<OAuth2Options> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<OAuth2Token?>> _inFlight = new(StringComparer.Ordinal);
    private readonly int _max = options.Value.MaxCachedTokens;
    private readonly long _unknownTicks = (long)(options.Value.UnknownTokenTime.TotalSeconds * time.TimestampFrequency);

    /// <summary>Notified when the memory goes from empty to holding something (the revocation follower sleeps until then).</summary>
    public WorkSignal Stored { get; } = new();

    public int Count => _entries.Count;

    /// <summary>The token, from memory or (once) from the cluster; null when the cluster does not know it.</summary>
    public ValueTask<OAuth2Token?> FindAsync(string accessToken)
    {
        if (_entries.TryGetValue(accessToken, out var entry))
        {
            if (entry.Token is not null || time.GetTimestamp() < entry.UnknownUntil)
            {
                return ValueTask.FromResult(entry.Token);
            }
        }

        return new ValueTask<OAuth2Token?>(_inFlight.GetOrAdd(accessToken, LoadAsync));
    }

    /// <summary>Remembers a token this edge has just issued: it is valid here at once, with no lookup.</summary>
    public void Put(OAuth2Token token) => Remember(token.AccessToken, new Entry(token, 0));

    public void Forget(string accessToken) => _entries.TryRemove(accessToken, out _);

    public void Clear() => _entries.Clear();

    private async Task<OAuth2Token?> LoadAsync(string accessToken)
    {
        // Asynchronous from the start, so the removal below always follows GetOrAdd's insertion (a synchronous throw
        // would otherwise leave a failed task in flight for good).
        await Task.Yield();
        try
        {
            var token = await OAuth2Shards.Grain(grains, accessToken).FindByAccessToken(accessToken);
            Remember(accessToken, new Entry(token, token is null ? time.GetTimestamp() + _unknownTicks : 0));
            return token;
        }
        finally
        {
            _inFlight.TryRemove(accessToken, out _);
        }
    }

    private void Remember(string accessToken, Entry entry)
    {
        if (_entries.Count >= _max)
        {
            _entries.Clear(); // simple and bounded: every token in use costs one lookup again
        }

        _entries[accessToken] = entry;
        Stored.Notify();
    }

    private sealed record Entry(OAuth2Token? Token, long UnknownUntil);
}
