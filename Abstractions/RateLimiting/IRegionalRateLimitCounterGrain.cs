namespace Turnpike.RateLimiting;

/// <summary>
/// A <c>policy: global</c> counter in one region: edges lease from it exactly as from an <see cref="IRateLimitCounterGrain"/>,
/// and it leases what it hands out from the home region's <see cref="IGlobalRateLimitCounterGrain"/>, a second or two of
/// its region's traffic at a time. Cut off from home it spends what it holds, then follows the request's
/// <see cref="QuotaRequest.FaultTolerant"/>.
/// </summary>
public interface IRegionalRateLimitCounterGrain : IGrainWithStringKey
{
    Task<QuotaGrant> Acquire(QuotaRequest request);
}
