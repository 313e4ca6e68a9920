using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Turnpike.RateLimiting;

/// <summary>
/// The home region's counter of a <c>policy: global</c> limit. Grants regions' counters permits against every window's
/// current period on the home's clock, never beyond a limit, so the regions together never admit more. A grant lasts
/// at most <see cref="RateLimitCounterOptions.RegionMaxLeaseDuration"/> and never past the period's end, counted by the
/// region from when it sent its request, so the regions' clocks never matter. Each region's requests carry a lessee and
/// a sequence: a request answered already gets the same permits again (with what is left of their life), an older one
/// nothing, so a retry or replay over the link never grants or credits twice. One grant is at most 1/regions of what a
/// window has left. Stored before answering, as the cluster
/// counter: a failover of the home's silo forgets no grant.
/// </summary>
public sealed partial class GlobalRateLimitCounterGrain(
    [PersistentState("globalratelimit", GrainStorageNames.Default)] IPersistentState<GlobalRateLimitCounterState> state,
    IOptions<RateLimitCounterOptions> options,
    IOptions<Turnpike.Regions.RegionOptions> regions,
    TimeProvider time,
    ILogger<GlobalRateLimitCounterGrain> logger) : Grain, IGlobalRateLimitCounterGrain
{
    public async Task<QuotaGrant> Lease(GlobalQuotaRequest request)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (state.State.Regions.TryGetValue(request.Region, out var last) && last.Lessee == request.Lessee && request.Sequence <= last.Sequence)
        {
            return request.Sequence == last.Sequence
                ? last.Grant with { ValidForMs = Math.Max(0, last.Grant.ValidForMs - (nowMs - last.AnsweredAtMs)) }
                : last.Grant with { Granted = 0, ValidForMs = 0 };
        }

        // One region's grant is at most its share of what is left, so a busy region cannot take a small limit whole while
        // the others ask: every region gets some, and less is stranded in one region when the period ends.
        var share = 1.0 / (regions.Value.Peers.Count + 1);
        var (grant, counts, changed) = WindowGrants.Grant(state.State.Windows, request.Limits, request.Wanted, request.Returns, nowMs, options.Value.RegionMaxLeaseDuration, share);
        var previous = (state.State.Windows, state.State.Regions);
        if (changed || request.Sequence > 0)
        {
            state.State.Windows = counts;
            state.State.Regions = new Dictionary<string, RegionLeaseRecord>(state.State.Regions, StringComparer.Ordinal)
            {
                [request.Region] = new RegionLeaseRecord(request.Lessee, request.Sequence, grant, nowMs),
            };
            try
            {
                await state.WriteStateAsync();
            }
            catch (Exception ex)
            {
                // Nothing was granted: the region hears of the failure and spends what it holds, then follows fault_tolerant.
                (state.State.Windows, state.State.Regions) = previous;
                LogStoreFailed(logger, ex, this.GetPrimaryKeyString());
                throw;
            }
        }

        return grant;
    }

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "Global rate-limit counter {Key} could not store a grant; none was given")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string key);
}
