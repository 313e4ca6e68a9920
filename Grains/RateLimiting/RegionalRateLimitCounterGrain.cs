using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Turnpike.RateLimiting;

/// <summary>
/// A region's counter of a <c>policy: global</c> limit. Its edges lease from it as from a cluster counter; it leases what
/// it hands out from the home region's <see cref="IGlobalRateLimitCounterGrain"/> in larger, longer leases sized to the
/// region's rate (<see cref="RegionalQuotaPool"/>), topped up in the background before they run dry, so the home hears
/// from a busy region about once per <see cref="RateLimitCounterOptions.RegionLeaseHorizon"/>. It stores nothing: every
/// permit it holds was counted by the home when granted, so losing them (a failover) only admits fewer.
/// Reentrant: while one call to the home is in flight, edges are still served from what the region holds.
/// Cut off from home, it spends what it holds, then answers as the edge's <c>fault_tolerant</c> asks.
/// </summary>
[Reentrant]
public sealed partial class RegionalRateLimitCounterGrain(
    GlobalCounterChannel home,
    GlobalQuotaMetrics metrics,
    IOptions<RateLimitCounterOptions> options,
    TimeProvider time,
    ILogger<RegionalRateLimitCounterGrain> logger) : Grain, IRegionalRateLimitCounterGrain
{
    private readonly RateLimitCounterOptions _options = options.Value;
    private RegionalQuotaPool? _pool;
    private Task? _call;
    private IGrainTimer? _sweep;

    public async Task<QuotaGrant> Acquire(QuotaRequest request)
    {
        var pool = PoolFor(request.Limits);
        var strandedBefore = pool.Stranded;
        pool.TakeBack(request.Returned, request.ReturnedPeriods);
        metrics.CountStranded(pool.Stranded - strandedBefore);
        if (request.Wanted <= 0)
        {
            KeepSweeping();
            return pool.Peek(time.GetTimestamp());
        }

        // Each pass leases from the pool, finds the home exhausted or out of reach, or waits for one call to the home;
        // the bound is for a refill whose permits other edges took first.
        for (var pass = 0; pass < 4; pass++)
        {
            var now = time.GetTimestamp();
            if (pool.TryGrant(request.Wanted, now, out var grant))
            {
                metrics.CountLeased(grant.Granted);
                if (pool.LowOnPermits && pool.MayAskHome(now))
                {
                    _ = CallHomeAsync(pool, request.Wanted);
                }

                KeepSweeping();
                return grant;
            }

            if (pool.IsExhausted(now, out grant))
            {
                return grant;
            }

            if (pool.CutOff)
            {
                if (pool.MayAskHome(now))
                {
                    _ = CallHomeAsync(pool, request.Wanted); // is it back? Meanwhile this request is answered as cut off.
                }

                return Fallback(pool, request, now);
            }

            var call = CallHomeAsync(pool, request.Wanted);
            if (await Task.WhenAny(call, Task.Delay(_options.HomeWait, time)) != call)
            {
                // The home is too slow to wait for: this request is answered as cut off; the call goes on.
                return Fallback(pool, request, time.GetTimestamp());
            }
        }

        return pool.Nothing(time.GetTimestamp(), 50);
    }

    private QuotaGrant Fallback(RegionalQuotaPool pool, QuotaRequest request, long now)
    {
        var grant = pool.Fallback(request.Wanted, request.FaultTolerant, now);
        metrics.CountFallback(grant.Granted);
        return grant;
    }

    private RegionalQuotaPool PoolFor(WindowLimit[] limits)
    {
        if (_pool is { } pool && pool.Limits.AsSpan().SequenceEqual(limits))
        {
            return pool;
        }

        // New limits (the plugin changed): a new pool; what the old one held is lost to this period, which only admits fewer.
        return _pool = new RegionalQuotaPool(limits, _options, home.RegionCount, time);
    }

    /// <summary>One call to the home at a time; a caller that finds one in flight gets it.</summary>
    private Task CallHomeAsync(RegionalQuotaPool pool, long wanted)
    {
        if (_call is { } inFlight)
        {
            return inFlight;
        }

        var call = RunAsync();
        _call = call.IsCompleted ? null : call;
        return call;

        async Task RunAsync()
        {
            try
            {
                var sent = time.GetTimestamp();
                var strandedBefore = pool.Stranded;
                var request = pool.NextHomeRequest(this.GetPrimaryKeyString(), home.Region, wanted, sent);
                metrics.CountStranded(pool.Stranded - strandedBefore);
                metrics.CountHomeCall();
                try
                {
                    var grant = await home.LeaseAsync(request, CancellationToken.None);
                    var wasCutOff = pool.CutOff;
                    pool.ApplyHome(grant, sent, time.GetTimestamp());
                    if (wasCutOff)
                    {
                        LogHomeBack(logger, this.GetPrimaryKeyString());
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Permits handed back in a failed call may or may not have been credited; not sending them again errs on admitting fewer.
                    metrics.CountHomeFailure();
                    if (!pool.CutOff)
                    {
                        LogHomeUnreachable(logger, this.GetPrimaryKeyString(), ex.Message);
                    }

                    pool.HomeFailed(time.GetTimestamp());
                }
            }
            finally
            {
                _call = null;
            }
        }
    }

    /// <summary>While the pool holds permits or returns, a timer hands what expired back to the home even when no edge calls.</summary>
    private void KeepSweeping()
    {
        _sweep ??= this.RegisterGrainTimer(SweepAsync, new GrainTimerCreationOptions(_options.RegionMaxLeaseDuration, _options.HomeRetryInterval) { Interleave = true });
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        if (_pool is not { } pool)
        {
            return;
        }

        var now = time.GetTimestamp();
        if (pool.HasReturns(now))
        {
            if (_call is null && (pool.MayAskHome(now) || !pool.CutOff))
            {
                await CallHomeAsync(pool, 0);
            }
        }
        else if (pool.Permits == 0)
        {
            _sweep?.Dispose();
            _sweep = null;
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Whatever the region still holds goes home (best effort: lost, it only admits fewer).
        if (_pool is { } pool && (pool.Permits > 0 || pool.HasReturns(time.GetTimestamp())) && !pool.CutOff)
        {
            var request = pool.ReturnAll(this.GetPrimaryKeyString(), home.Region, time.GetTimestamp());
            try
            {
                await home.LeaseAsync(request, cancellationToken).WaitAsync(_options.HomeWait, cancellationToken);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogHomeUnreachable(logger, this.GetPrimaryKeyString(), ex.Message);
            }
        }

        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "Global rate-limit counter {Key}: the home region could not be reached ({Reason}); spending what the region holds, then following fault_tolerant")]
    private static partial void LogHomeUnreachable(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Information, Message = "Global rate-limit counter {Key}: the home region answers again")]
    private static partial void LogHomeBack(ILogger logger, string key);
}
