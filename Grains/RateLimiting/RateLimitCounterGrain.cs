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
        var returns = request.Returned == 0 ? [] : new[] { new QuotaReturn(request.Returned, request.ReturnedPeriods) };
        var (grant, counts, changed) = WindowGrants.Grant(
            state.State.Windows, request.Limits, request.Wanted, returns, time.GetUtcNow().ToUnixTimeMilliseconds(), options.Value.MaxLeaseDuration);
        if (changed)
        {
            await StoreAsync(counts);
        }

        return grant;
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
