using Turnpike.Invalidation;

namespace Turnpike.ProxyCache;

/// <summary>The purge log, bounded: past <see cref="Capacity"/> purges the oldest go, and an edge that had not read them purges all.
/// An edge's first read (epoch empty) only learns where the log is.</summary>
public sealed class ProxyCachePurgeGrain : Grain, IProxyCachePurgeGrain
{
    public const int Capacity = 1024;

    private readonly InvalidationLog<ProxyCachePurge> _log = new(Capacity);

    public Task<long> Append(ProxyCachePurge purge) => Task.FromResult(_log.Append(purge));

    public Task<ProxyCachePurges> Since(Guid epoch, long cursor)
    {
        var (gap, purges) = _log.Since(epoch, cursor);
        return Task.FromResult(new ProxyCachePurges(_log.Epoch, _log.Last, gap, purges));
    }
}
