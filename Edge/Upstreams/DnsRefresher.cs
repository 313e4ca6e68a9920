using Microsoft.Extensions.Hosting;

namespace Turnpike.Edge.Upstreams;

/// <summary>Looks up target host names whose answers have expired and refreshes the balancers they feed.</summary>
internal sealed class DnsRefresher(UpstreamBalancers balancers, TargetResolver resolver, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var balancer in balancers.Current)
            {
                var changed = false;
                foreach (var host in balancer.HostNames)
                {
                    if (resolver.IsDue(host))
                    {
                        changed |= await resolver.RefreshAsync(host, stoppingToken);
                    }
                }

                if (changed || balancer.NeedsRefresh(resolver))
                {
                    balancer.Refresh(resolver);
                }
            }
        }
    }
}
