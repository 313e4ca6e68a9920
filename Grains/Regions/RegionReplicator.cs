using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Turnpike.Regions;

/// <summary>
/// In a silo of a region that is not the home: follows the home region's route table over the link and applies each
/// change to this region's route table grain, which persists it and tells this region's edges as for any write. It asks
/// for the changes since the version this region holds and the home holds the request until there are some (a long
/// poll: one round trip per change, none while nothing changes); a region further behind than the home's change log
/// gets the whole table. While home is unreachable this region keeps its table (stored, so a restart serves it too) and
/// tries again with growing pauses; healed, it catches up by the same request. It runs in every region: the home is
/// the one this region's table names (<see cref="HomeState"/>), so after a move of the home it follows the new one, and in
/// the home region it idles.
/// </summary>
public sealed partial class RegionReplicator(
    IGrainFactory grains,
    RegionLink link,
    IOptions<RegionOptions> options,
    ILogger<RegionReplicator> logger) : BackgroundService
{
    private static readonly TimeSpan MinPause = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);

    private IRouteTableGrain Table => grains.GetGrain<IRouteTableGrain>(IRouteTableGrain.DefaultKey);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pause = MinPause;
        var reachable = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            HomeState? state = null;
            try
            {
                // The home is what this region's table holds: the configured one, or where a move took it.
                state = await Table.GetHome();
                if (state.Home == options.Value.Name)
                {
                    // This region is the home (it may become one while running): nothing to follow.
                    await Task.Delay(Idle, stoppingToken);
                    continue;
                }

                var delta = await link.ChangesSinceAsync(state, RegionLinkPaths.MaxWait, stoppingToken);
                if (delta.Epoch > state.Epoch)
                {
                    // The home moved again: ask the region that answered where (it names the home with the epoch).
                    var announced = await link.HomeAsync(state.Home, stoppingToken);
                    await Table.AdoptHome(announced.Epoch, announced.Home);
                    continue;
                }

                var version = await Table.ApplyReplica(state.Version, delta);
                pause = MinPause;
                if (!reachable)
                {
                    reachable = true;
                    LogReconnected(logger, state.Home, version);
                }

                if (delta.Epoch == state.Epoch)
                {
                    continue;
                }

                // An older epoch than this region's: that region is an old home; wait for the move to reach it.
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (RegionUnreachableException ex)
            {
                if (reachable)
                {
                    reachable = false;
                    LogUnreachable(logger, ex.Region, ex.Reason, state?.Version ?? -1);
                }
            }
            catch (Exception ex)
            {
                // This region's own cluster failed the call (or an answer could not be read): ask for its state again.
                LogLocalFailure(logger, ex);
            }

            try
            {
                await Task.Delay(pause * (0.5 + (Random.Shared.NextDouble() / 2)), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            pause = pause * 2 < MaxPause ? pause * 2 : MaxPause;
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Home region {Home} is unreachable ({Reason}); this region keeps serving version {Version} and refuses admin writes")]
    private static partial void LogUnreachable(ILogger logger, string home, string reason, long version);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Home region {Home} is reachable again; this region is at version {Version}")]
    private static partial void LogReconnected(ILogger logger, string home, long version);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Could not apply the home region's changes to this region's route table; trying again")]
    private static partial void LogLocalFailure(ILogger logger, Exception exception);
}
