using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Turnpike.Edge.Upstreams;

/// <summary>
/// Kong's active health checks: every target of an upstream with active checks is sent a GET of its
/// <c>http_path</c> — healthy ones every <c>healthy.interval</c>, unhealthy ones every <c>unhealthy.interval</c>
/// (0: not probed in that state) — and the answer counts towards the thresholds. Each edge probes on its own.
/// </summary>
internal sealed partial class ActiveHealthChecker(TargetHealthRegistry registry, TimeProvider time, ILogger<ActiveHealthChecker> logger) : BackgroundService
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) });

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = Stopwatch.GetTimestamp();
            foreach (var target in registry.All)
            {
                var settings = target.Settings;
                var interval = target.IsHealthy ? settings.Active.Healthy.Interval : settings.Active.Unhealthy.Interval;
                if (interval <= 0 || now < target.NextProbe)
                {
                    continue;
                }

                target.NextProbe = now + (long)(interval * Stopwatch.Frequency);
                _ = ProbeAsync(target, stoppingToken);
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
