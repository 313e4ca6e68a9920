namespace Turnpike.RateLimiting;

/// <summary>
/// One rate-limit counter (a plugin instance and what it limits by, e.g. a consumer), across every window it has.
/// It grants permits as leases and never grants more than a window's limit in one period, so the cluster never
/// admits more; edges spend leases locally, so a grain call serves many requests.
/// </summary>
public interface IRateLimitCounterGrain : IGrainWithStringKey
{
    Task<QuotaGrant> Acquire(QuotaRequest request);
}
