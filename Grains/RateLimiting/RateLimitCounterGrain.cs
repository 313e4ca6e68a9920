using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Turnpike.RateLimiting;

/// <summary>
/// Grants permits against every window's current period, never beyond a limit. A grant is written to storage
/// before it is answered, so a counter that moves to another silo (its silo died) knows every permit it leased
/// out and cannot grant them again: over-admission after a failover is zero with durable storage.
/// </summary>
public sealed partial class RateLimitCounterGrain(
    [PersistentState("ratelimit", GrainStorageNames.Default)] IPersistentState<RateLimitCounterState> state,
    IOptions<RateLimitCounterOptions> options,
    TimeProvider time,
    ILogger<RateLimitCounterGrain> logger) : Grain, IRateLimitCounterGrain
{
    public async Task<QuotaGrant> Acquire(QuotaRequest request)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var now = nowMs / 1000;
        var limits = request.Limits;
        var next = new Dictionary<RateLimitWindow, WindowCount>(limits.Length);
        var periods = new long[limits.Length];
        var granted = request.Wanted;
        var changed = false;
        for (var i = 0; i < limits.Length; i++)
        {
            var (window, limit) = limits[i];
            periods[i] = RateLimitPeriods.Start(window, now);
            var count = state.State.Windows.TryGetValue(window, out var known) && known.Period == periods[i] ? known.Granted : 0;
            // Returned permits (or, negative, a charge for costs settled beyond what was leased) count in each
            // window whose period is still the one they were granted in.
            if (request.Returned != 0 && request.ReturnedPeriods.Length == limits.Length && request.ReturnedPeriods[i] == periods[i])
            {
                count = Math.Max(0, count - request.Returned);
                changed = true;
            }

            next[window] = new WindowCount(periods[i], count);
            granted = Math.Min(granted, Math.Max(0, limit - count));
        }

        var remaining = new long[limits.Length];
        var reset = new long[limits.Length];
        var shortestEnd = long.MaxValue;
        for (var i = 0; i < limits.Length; i++)
        {
            var (window, limit) = limits[i];
            var count = next[window].Granted + granted;
            next[window] = new WindowCount(periods[i], count);
            remaining[i] = Math.Max(0, limit - count);
            var end = RateLimitPeriods.End(window, now);
            reset[i] = end - now;
            shortestEnd = Math.Min(shortestEnd, end);
        }

        if (granted > 0 || changed)
        {
            await StoreAsync(next);
        }

        var validFor = Math.Min((shortestEnd * 1000) - nowMs, (long)options.Value.MaxLeaseDuration.TotalMilliseconds);
        return new QuotaGrant { Granted = granted, Periods = periods, Remaining = remaining, ResetSeconds = reset, ValidForMs = Math.Max(0, validFor) };
    }

    private async Task StoreAsync(Dictionary<RateLimitWindow, WindowCount> next)
    {
        var previous = state.State.Windows;
        state.State.Windows = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            // Nothing was granted: the edge hears of the failure and falls back on its fault_tolerant setting.
            state.State.Windows = previous;
            LogStoreFailed(logger, ex, this.GetPrimaryKeyString());
            throw;
        }
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Warning, Message = "Rate-limit counter {Key} could not store a grant; none was given")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string key);
}
