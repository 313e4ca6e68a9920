using Microsoft.Extensions.Logging;
using Turnpike.ProxyCache;

namespace Turnpike.Edge.Plugins.ProxyCache;

/// <summary>Purges of this edge's memory, from the admin API (applied here at once and logged for the other edges) or read from the cluster's log.</summary>
internal sealed partial class ProxyCachePurges(ProxyCacheStore store, IGrainFactory grains, ILogger<ProxyCachePurges> logger)
{
    private Guid _epoch;
    private long _cursor;
    private IProxyCachePurgeGrain? _log;

    // The log sequences of the purges issued here: applied when issued, so not again when read back from the log (an
    // old purge-all read back after new entries were stored would drop them). Removed as the cursor passes them.
    private readonly HashSet<long> _own = [];

    private IProxyCachePurgeGrain Log => _log ??= grains.GetGrain<IProxyCachePurgeGrain>(0);

    /// <summary>Applies <paramref name="purge"/> here and appends it to the cluster's log; false when the log could not be reached (this edge is purged all the same).</summary>
    public async Task<bool> PurgeEverywhereAsync(ProxyCachePurge purge)
    {
        Apply(purge);
        try
        {
            var sequence = await Log.Append(purge);
            lock (_own)
            {
                if (sequence > _cursor)
                {
                    _own.Add(sequence);
                }
            }

            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUnreachable(logger, ex.GetType().Name, ex.Message);
            return false;
        }
    }

    /// <summary>Reads and applies the purges other edges issued since the last read.</summary>
    public async Task FollowAsync()
    {
        try
        {
            var read = await Log.Since(_epoch, _cursor);
            if (read.Gap)
            {
                LogGap(logger);
                store.Clear();
            }

            lock (_own)
            {
                // Without a gap the purges are the log's sequences after the cursor, in order.
                var sequence = _cursor;
                foreach (var purge in read.Purges)
                {
                    if (!_own.Remove(++sequence))
                    {
                        Apply(purge);
                    }
                }

                (_epoch, _cursor) = (read.Epoch, read.Last);
                _own.RemoveWhere(s => s <= _cursor);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUnreachable(logger, ex.GetType().Name, ex.Message);
        }
    }

    private void Apply(ProxyCachePurge purge)
    {
        if (purge.Key is { } key)
        {
            store.Remove(key, purge.PluginId);
        }
        else
        {
            store.Clear(purge.PluginId);
        }
    }

    [LoggerMessage(EventId = 3200, Level = LogLevel.Warning, Message = "The proxy-cache purge log could not be reached ({Exception}: {Reason}); purges reach this edge when it can be")]
    private static partial void LogUnreachable(ILogger logger, string exception, string reason);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Purges issued elsewhere were missed (the purge log restarted or moved on): this edge's proxy cache is emptied")]
    private static partial void LogGap(ILogger logger);
}
