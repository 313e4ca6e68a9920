using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Hosting;
using Turnpike.RateLimiting;

namespace Turnpike.Edge.RateLimiting;

/// <summary>
/// Kong's <c>cluster</c> policy done with leases: each counter grain grants this edge permits in batches sized to
/// its recent rate, the edge spends them locally, and tops a lease up in the background before it runs dry.
/// The counters never grant more than a limit per period, so the cluster never admits more, and most requests
/// cost no remote call. While the counters cannot be reached, the answer is <see cref="QuotaOutcome.Unavailable"/>
/// (the plugin's <c>fault_tolerant</c> decides what that means) and the edge waits a back-off before trying again.
/// <c>policy: global</c> leases come the same way from the region's global-policy counters (<see cref="QuotaScope"/>).
/// </summary>
internal sealed partial class ClusterQuota(IGrainFactory grains, IOptions<QuotaOptions> options, RateLimitMetrics metrics, TimeProvider time, ILogger<ClusterQuota> logger)
{
    private readonly ConcurrentDictionary<string, QuotaLease> _leases = new(StringComparer.Ordinal);
    private readonly QuotaOptions _options = options.Value;
    private long _unreachableUntil;

    public int LeaseCount => _leases.Count;

    /// <summary>Notified when a lease is used: the sweeper sleeps on it while there are none.</summary>
    public WorkSignal Used { get; } = new();

    public async ValueTask<QuotaDecision> AcquireAsync(string key, WindowLimit[] limits, long cost, QuotaScope scope = default)
    {
        var lease = LeaseFor(key, limits, scope);

        // Each pass either spends, finds the counter exhausted or unreachable, or waits for a refill that
        // brought permits (which other waiters may take first); the bound only guards against a livelock.
        for (var pass = 0; pass < 64; pass++)
        {
            var now = time.GetTimestamp();
            if (lease.TryTake(cost, now, out var decision, out var topUp))
            {
                if (topUp)
                {
                    _ = RefillAsync(key, lease, cost);
                }

                return decision;
            }

            if (lease.IsExhausted(now, out decision))
            {
                return decision;
            }

            if (now < Interlocked.Read(ref _unreachableUntil))
            {
                return QuotaDecision.Unavailable;
            }

            await RefillAsync(key, lease, cost);
        }

        return QuotaDecision.Unavailable;
    }

    /// <summary>Corrects a cost taken earlier from <paramref name="key"/>'s lease in <paramref name="periods"/>; see <see cref="QuotaLease.Settle"/>.</summary>
    public void Settle(string key, long delta, long[] periods)
    {
        if (_leases.TryGetValue(key, out var lease))
        {
            lease.Settle(delta, periods);
        }
    }

    /// <summary>Sends settled costs and unspent permits of expired leases to their counters, and forgets leases idle for a minute.</summary>
    public async Task SweepAsync()
    {
        var now = time.GetTimestamp();
        var idleCutoff = now - (60 * time.TimestampFrequency);
        foreach (var (key, lease) in _leases)
        {
            while (lease.TakeSettlement() is { } settlement)
            {
                await CallAsync(key, lease.Scope, settlement);
            }

            if (lease.RefillInFlight is { } refill && lease.IsExpired(now))
            {
                // An expired lease still topping up: wait for the grant so its permits go back with the rest, rather
                // than stay held at the counter until the counter's own expiry.
                await refill;
            }

            if (now >= Interlocked.Read(ref _unreachableUntil) && lease.TakeExpiredPermits(now) is { } giveBack)
            {
                await CallAsync(key, lease.Scope, giveBack);
            }
            else if (lease.IsIdleSince(idleCutoff))
            {
                _leases.TryRemove(KeyValuePair.Create(key, lease));
            }
        }
    }

    private QuotaLease LeaseFor(string key, WindowLimit[] limits, QuotaScope scope)
    {
        var lease = _leases.GetOrAdd(key, static (_, state) => new QuotaLease(state.limits, state.time, state.scope), (limits, time, scope));
        Used.Notify();
        if ((ReferenceEquals(lease.Limits, limits) || lease.Limits.AsSpan().SequenceEqual(limits)) && lease.Scope == scope)
        {
            return lease;
        }

        // The plugin's limits or policy changed: start a lease under the new ones.
        var replacement = new QuotaLease(limits, time, scope);
        _leases[key] = replacement;
        return replacement;
    }

    /// <summary>One refill per lease at a time; callers that find one in flight wait for it.</summary>
    private Task RefillAsync(string key, QuotaLease lease, long cost)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (lease.JoinOrStartRefill(started.Task) is { } inFlight)
        {
            return inFlight;
        }

        _ = RunRefillAsync(key, lease, cost, started);
        return started.Task;
    }

    private async Task RunRefillAsync(string key, QuotaLease lease, long cost, TaskCompletionSource done)
    {
        try
        {
            var sent = time.GetTimestamp();
            if (await CallAsync(key, lease.Scope, lease.NextRequest(cost, sent, _options.LeaseHorizon, _options.MaxLease)) is { } grant)
            {
                lease.Apply(grant, sent);
            }
        }
        finally
        {
            lease.RefillEnded();
            done.SetResult();
        }
    }

    private async Task<QuotaGrant?> CallAsync(string key, QuotaScope scope, QuotaRequest request)
    {
        metrics.CountGrainCall();
        try
        {
            var call = scope.Global
                ? grains.GetGrain<IRegionalRateLimitCounterGrain>(key).Acquire(request with { FaultTolerant = scope.FaultTolerant })
                : grains.GetGrain<IRateLimitCounterGrain>(key).Acquire(request);
            return await call.WaitAsync(_options.CallTimeout);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Permits handed back in a failed call may or may not have been credited; not retrying errs on admitting fewer.
            metrics.CountGrainFailure();
            Interlocked.Exchange(ref _unreachableUntil, time.GetTimestamp() + (long)(_options.UnreachableBackoff.TotalSeconds * time.TimestampFrequency));
            LogCounterUnreachable(logger, ex, key);
            return null;
        }
    }

    [LoggerMessage(EventId = 2300, Level = LogLevel.Warning, Message = "Rate-limit counter {Key} could not be reached; counters count as unreachable for the back-off")]
    private static partial void LogCounterUnreachable(ILogger logger, Exception exception, string key);
}
