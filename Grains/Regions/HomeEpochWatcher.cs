using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Turnpike.Regions;

/// <summary>
/// In every silo of a multi-region deployment: asks each peer region every <see cref="RegionOptions.HomeCheckInterval"/>
/// which home and epoch it holds, and has this region's route table take a newer one. That is how a move of the home
/// reaches every region, the old home included (which then refuses writes), within the interval of being reachable; the
/// epoch is a counter, so nothing here depends on clocks agreeing.
/// </summary>
public sealed partial class HomeEpochWatcher(
    IGrainFactory grains,
    RegionLink link,
    IOptions<RegionOptions> options,
    TimeProvider time,
    ILogger<HomeEpochWatcher> logger) : BackgroundService
{
    private IRouteTableGrain Table => grains.GetGrain<IRouteTableGrain>(IRouteTableGrain.DefaultKey);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.HomeCheckInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval * (0.75 + (Random.Shared.NextDouble() / 2)), time, stoppingToken);
                var held = await Table.GetHome();
                var announced = await Task.WhenAll(options.Value.Peers.Keys.Select(async peer =>
                {
                    try
                    {
                        return await link.HomeAsync(peer, stoppingToken);
                    }
                    catch (RegionUnreachableException)
                    {
                        return null; // partitioned: the replicator says so; this asks again next time
                    }
                }));
                if (announced.OfType<HomeState>().MaxBy(h => h.Epoch) is { } newest && newest.Epoch > held.Epoch)
                {
                    await Table.AdoptHome(newest.Epoch, newest.Home);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(EventId = 5017, Level = LogLevel.Warning, Message = "Could not compare this region's home epoch with its peers'; trying again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
