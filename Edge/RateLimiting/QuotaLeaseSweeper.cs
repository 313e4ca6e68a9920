using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Hosting;

namespace Turnpike.Edge.RateLimiting;

/// <summary>
/// Periodically hands unspent permits back to the cluster and drops idle local counters; while there are no leases
/// and no local counters (an edge without rate limiting, or one whose clients went quiet) it sleeps until one is used.
/// </summary>
internal sealed class QuotaLeaseSweeper(ClusterQuota cluster, LocalQuota local, IOptions<QuotaOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A delay per interval rather than a PeriodicTimer, whose timer fires every interval even while nobody waits.
        while (true)
        {
            await Task.Delay(options.Value.SweepInterval, time, stoppingToken);
            var leaseUsed = cluster.Used.Arm();
            var counterUsed = local.Used.Arm();
            await cluster.SweepAsync();
            local.Sweep();
            if (cluster.LeaseCount == 0 && local.IsEmpty)
            {
                await WorkSignal.WaitAsync(Task.WhenAny(leaseUsed, counterUsed), null, time, stoppingToken);
            }
        }
    }
}
