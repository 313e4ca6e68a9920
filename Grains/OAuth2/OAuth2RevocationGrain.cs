namespace Turnpike.OAuth2;

/// <summary>The token invalidation log, bounded: past <see cref="Capacity"/> entries the oldest go, and an edge that had not
/// read them forgets every cached token. An edge's first read (epoch empty) only learns where the log is.</summary>
public sealed class OAuth2RevocationGrain : Grain, IOAuth2RevocationGrain
{
    public const int Capacity = 4096;

    private readonly Guid _epoch = Guid.NewGuid();
    private readonly Queue<(long Sequence, string AccessToken)> _log = new();
    private long _last;

    public Task<long> Append(string[] accessTokens)
    {
        foreach (var token in accessTokens)
        {
            _log.Enqueue((++_last, token));
            if (_log.Count > Capacity)
            {
                _log.Dequeue();
            }
        }

        return Task.FromResult(_last);
    }

    public Task<OAuth2Revocations> Since(Guid epoch, long cursor)
    {
        var oldest = _log.Count > 0 ? _log.Peek().Sequence : _last + 1;
        if (epoch == Guid.Empty)
        {
            return Task.FromResult(new OAuth2Revocations(_epoch, _last, false, []));
        }

        var gap = epoch != _epoch || cursor + 1 < oldest;
        string[] tokens = gap ? [] : [.. _log.Where(e => e.Sequence > cursor).Select(e => e.AccessToken)];
        return Task.FromResult(new OAuth2Revocations(_epoch, _last, gap, tokens));
    }
}
