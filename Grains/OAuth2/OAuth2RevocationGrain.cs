using Turnpike.Invalidation;

namespace Turnpike.OAuth2;

/// <summary>The token invalidation log, bounded: past <see cref="Capacity"/> entries the oldest go, and an edge that had not
/// read them forgets every cached token. An edge's first read (epoch empty) only learns where the log is.</summary>
public sealed class OAuth2RevocationGrain : Grain, IOAuth2RevocationGrain
{
    public const int Capacity = 4096;

    private readonly InvalidationLog<string> _log = new(Capacity);

    public Task<long> Append(string[] accessTokens)
    {
        foreach (var token in accessTokens)
        {
            _log.Append(token);
        }

        return Task.FromResult(_log.Last);
    }

    public Task<OAuth2Revocations> Since(Guid epoch, long cursor)
    {
        var (gap, tokens) = _log.Since(epoch, cursor);
        return Task.FromResult(new OAuth2Revocations(_log.Epoch, _log.Last, gap, tokens));
    }
}
