using System.Collections.Concurrent;

namespace Turnpike.Edge.Plugins.ProxyCache;

/// <summary>
/// Request collapsing (ours; Kong has none): while a miss for a key is on its way to the upstream, other requests for
/// the key wait for it and are answered from what it stored, so N concurrent misses make one upstream request.
/// </summary>
internal sealed class MissCollapsing
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<CachedResponse?>> _inFlight = new(StringComparer.Ordinal);

    public int InFlight => _inFlight.Count;

    /// <summary>Null when the caller leads the miss for <paramref name="key"/> (and must <see cref="Complete"/> it); else the leader's outcome to wait for.</summary>
    public Task<CachedResponse?>? JoinOrLead(string key)
    {
        var mine = new TaskCompletionSource<CachedResponse?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var current = _inFlight.GetOrAdd(key, mine);
        return ReferenceEquals(current, mine) ? null : current.Task;
    }

    /// <summary>The leader's miss is over: <paramref name="stored"/> is what it cached, or null when nothing was.</summary>
    public void Complete(string key, CachedResponse? stored)
    {
        if (_inFlight.TryRemove(key, out var waiting))
        {
            waiting.TrySetResult(stored);
        }
    }
}
