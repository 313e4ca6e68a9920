using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Turnpike.Edge.RateLimiting;

/// <summary>Periodically hands unspent permits back to the cluster and drops idle local counters.</summary>
internal sealed class QuotaLeaseSweeper(ClusterQuota cluster, LocalQuota local, IOptions<QuotaOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await cluster.SweepAsync();
            local.Sweep();
        }
    }
}
