using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Hosting;

namespace Turnpike.Edge.Plugins.ProxyCache;

/// <summary>
/// Reads the cluster's purge log every <see cref="ProxyCacheOptions.PurgePollInterval"/> while this edge holds cached
/// entries, and sleeps while it holds none (an edge without proxy-cache never calls the cluster for it).
/// </summary>
internal sealed class ProxyCachePurgeFollower(ProxyCacheStore store, ProxyCachePurges purges, IOptions<ProxyCacheOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            var stored = store.Stored.Arm();
            if (store.Count == 0)
            {
                await WorkSignal.WaitAsync(stored, null, time, stoppingToken);
            }

            await purges.FollowAsync();
            await Task.Delay(options.Value.PurgePollInterval, time, stoppingToken);
        }
    }
}
