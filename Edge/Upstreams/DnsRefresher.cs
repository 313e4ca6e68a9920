using Microsoft.Extensions.Hosting;
using Turnpike.Edge.Hosting;

namespace Turnpike.Edge.Upstreams;

/// <summary>
/// Looks up target host names whose answers have expired and refreshes the balancers they feed. It sleeps until the
/// next answer expires, and while no target has a host name until the table changes: no tick without a DNS target.
/// </summary>
internal sealed class DnsRefresher(UpstreamBalancers balancers, TargetResolver resolver, TimeProvider time) : BackgroundService
{
    // Answers expire at their TTL (at least Turnpike:Dns:MinTtl); checking more often than this gains nothing.
    private static readonly TimeSpan Resolution = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var changed = balancers.Changed.Arm();
            TimeSpan? nextDue = null;
            try
            {
                foreach (var balancer in balancers.Current)
                {
                    var refreshed = false;
                    foreach (var host in balancer.HostNames)
                    {
                        if (resolver.IsDue(host))
                        {
                            refreshed |= await resolver.RefreshAsync(host, stoppingToken);
                        }

                        var dueIn = resolver.DueIn(host);
                        nextDue = nextDue is { } earlier && earlier < dueIn ? earlier : dueIn;
                    }

                    if (refreshed || balancer.NeedsRefresh(resolver))
                    {
                        balancer.Refresh(resolver);
                    }
                }

                await WorkSignal.WaitAsync(changed, nextDue is { } due ? (due > Resolution ? due : Resolution) : null, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
