namespace Turnpike.RateLimiting;

/// <summary>
/// A <c>policy: global</c> counter in the home region: grants the regions' counters permits (longer, larger leases than
/// edges get), never beyond a limit in a period of the home's clock, so all regions together never admit more.
/// Regions other than the home reach it over the cross-region link.
/// </summary>
public interface IGlobalRateLimitCounterGrain : IGrainWithStringKey
{
    Task<QuotaGrant> Lease(GlobalQuotaRequest request);
}
