namespace Turnpike.ProxyCache;

/// <summary>The purge log, bounded: past <see cref="Capacity"/> purges the oldest go, and an edge that had not read them purges all.
/// An edge's first read (epoch empty) only learns where the log is.</summary>
public sealed class ProxyCachePurgeGrain : Grain, IProxyCachePurgeGrain
{
    public const int Capacity = 1024;

    private readonly Guid _epoch = Guid.NewGuid();
    private readonly Queue<(long Sequence, ProxyCachePurge Purge)> _log = new();
    private long _last;

    public Task<long> Append(ProxyCachePurge purge)
    {
        _log.Enqueue((++_last, purge));
        if (_log.Count > Capacity)
        {
            _log.Dequeue();
        }

        return Task.FromResult(_last);
    }

    public Task<ProxyCachePurges> Since(Guid epoch, long cursor)
    {
        var oldest = _log.Count > 0 ? _log.Peek().Sequence : _last + 1;
        if (epoch == Guid.Empty)
        {
            return Task.FromResult(new ProxyCachePurges(_epoch, _last, false, [])); // an edge's first read: it starts from here
        }

        var gap = epoch != _epoch || cursor + 1 < oldest;
        ProxyCachePurge[] purges = gap ? [] : [.. _log.Where(p => p.Sequence > cursor).Select(p => p.Purge)];
        return Task.FromResult(new ProxyCachePurges(_epoch, _last, gap, purges));
    }
}
