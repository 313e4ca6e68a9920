using Microsoft.Extensions.Logging;
using Turnpike.OAuth2;

namespace Turnpike.Edge.Plugins.OAuth2;

/// <summary>
/// Tokens this edge must forget: from the admin API (forgotten here at once and logged for the other edges) or read from
/// the cluster's revocation log.
/// </summary>
internal sealed partial class OAuth2Revocations(OAuth2TokenCache cache, IGrainFactory grains, ILogger<OAuth2Revocations> logger)
{
    private readonly Lock _lock = new();
    private Guid _epoch;
    private long _cursor;
    private IOAuth2RevocationGrain? _log;

    private IOAuth2RevocationGrain Log => _log ??= grains.GetGrain<IOAuth2RevocationGrain>(0);

    /// <summary>Forgets <paramref name="accessTokens"/> here and has every other edge forget them.</summary>
    public async Task RevokeEverywhereAsync(params string[] accessTokens)
    {
        foreach (var token in accessTokens)
        {
            cache.Forget(token);
        }

        await Log.Append(accessTokens);
    }

    /// <summary>Reads and applies the revocations issued since the last read; the first read only learns where the log is.</summary>
    public async Task FollowAsync()
    {
        try
        {
            Guid epoch;
            long cursor;
            lock (_lock)
            {
                (epoch, cursor) = (_epoch, _cursor);
            }

            var read = await Log.Since(epoch, cursor);
            if (read.Gap)
            {
                LogGap(logger);
                cache.Clear();
            }

            foreach (var token in read.AccessTokens)
            {
                cache.Forget(token);
            }

            lock (_lock)
            {
                (_epoch, _cursor) = (read.Epoch, read.Last);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUnreachable(logger, ex.GetType().Name, ex.Message);
        }
    }

    public bool Following
    {
        get
        {
            lock (_lock)
            {
                return _epoch != Guid.Empty;
            }
        }
    }

    [LoggerMessage(EventId = 3400, Level = LogLevel.Warning, Message = "The oauth2 revocation log could not be reached ({Exception}: {Reason}); revocations reach this edge when it can be")]
    private static partial void LogUnreachable(ILogger logger, string exception, string reason);

    [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "Token revocations issued elsewhere were missed (the log restarted or moved on): this edge's oauth2 token cache is emptied")]
    private static partial void LogGap(ILogger logger);
}
