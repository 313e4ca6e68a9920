namespace Turnpike.ProxyCache;

/// <summary>
/// The cluster's log of proxy-cache purges (one grain, key 0): an admin purge on any edge is appended here, and every
/// edge holding entries reads what it has not applied yet. In memory only: the caches it purges are memory too.
/// </summary>
public interface IProxyCachePurgeGrain : IGrainWithIntegerKey
{
    Task<long> Append(ProxyCachePurge purge);

    [AlwaysInterleave, ReadOnly]
    Task<ProxyCachePurges> Since(Guid epoch, long cursor);
}
