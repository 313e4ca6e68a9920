using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Hosting;

namespace Turnpike.Edge.Upstreams;

/// <summary>
/// Kong's active health checks: every target of an upstream with active checks is sent a GET of its
/// <c>http_path</c> — healthy ones every <c>healthy.interval</c>, unhealthy ones every <c>unhealthy.interval</c>
/// (0: not probed in that state) — and the answer counts towards the thresholds. Each edge probes on its own.
/// It sleeps until the next probe is due, and while no target is probed at all until the table changes: an edge
/// without active checks runs no timer for them.
/// </summary>
internal sealed partial class ActiveHealthChecker(TargetHealthRegistry registry, UpstreamBalancers balancers, TimeProvider time, ILogger<ActiveHealthChecker> logger) : BackgroundService
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) });

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var changed = balancers.Changed.Arm();
            var now = Stopwatch.GetTimestamp();
            long? nextDue = null;
            foreach (var target in registry.All)
            {
                var settings = target.Settings;
                var interval = target.IsHealthy ? settings.Active.Healthy.Interval : settings.Active.Unhealthy.Interval;
                if (interval <= 0)
                {
                    continue;
                }

                if (now >= target.NextProbe)
                {
                    target.NextProbe = now + (long)(interval * Stopwatch.Frequency);
                    _ = ProbeAsync(target, stoppingToken);
                }

                nextDue = Math.Min(nextDue ?? long.MaxValue, target.NextProbe);
            }

            // At least a few milliseconds: a probe that changes a target's state changes its interval, picked up then.
            TimeSpan? wait = nextDue is { } due ? Stopwatch.GetElapsedTime(now, Math.Max(due, now + (Stopwatch.Frequency / 100))) : null;
            try
            {
                await WorkSignal.WaitAsync(changed, wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ProbeAsync(TargetHealth target, CancellationToken stoppingToken)
    {
        var settings = target.Settings;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.Active.Timeout));
        var wasHealthy = target.IsHealthy;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{target.Target}{settings.Active.HttpPath}");
            request.Headers.Host = target.Host; // as Kong probes: the name live traffic is sent, not the address
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (Array.IndexOf(settings.Active.Healthy.HttpStatuses, status) >= 0)
            {
                target.Succeeded(active: true);
            }
            else if (Array.IndexOf(settings.Active.Unhealthy.HttpStatuses, status) >= 0)
            {
                target.Failed(HealthFailure.Http, active: true);
            }
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            target.Failed(HealthFailure.Timeout, active: true);
        }
        catch (HttpRequestException)
        {
            target.Failed(HealthFailure.Tcp, active: true);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (wasHealthy != target.IsHealthy)
        {
            LogHealthChanged(logger, target.Target, target.UpstreamId, target.IsHealthy ? "healthy" : "unhealthy");
        }
    }

    [LoggerMessage(EventId = 2500, Level = LogLevel.Warning, Message = "Target {Target} of upstream {Upstream} is now {Health} (active check)")]
    private static partial void LogHealthChanged(ILogger logger, string target, Guid upstream, string health);
}
