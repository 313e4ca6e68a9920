using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Admin.Authentication;
using Turnpike.Edge.Admin.Declarative;
using Turnpike.Edge.Consumers;
using Turnpike.Edge.Hosting;
using Turnpike.Edge.Upstreams;

namespace Turnpike.Edge.RouteTable;

/// <summary>
/// Keeps this edge's snapshot equal to the cluster's route table: pulls the table at start (after applying
/// a declarative file if one is given), then pulls deltas when notified and on a periodic versioned poll
/// that also renews the subscription, so a missed notification is repaired within one interval.
/// </summary>
internal sealed partial class RouteTableSync(
    IGrainFactory grains,
    RouteTableStore store,
    RouteTableSnapshotBuilder builder,
    TargetHealthRegistry health,
    DeclarativeConfigLoader declarative,
    EdgeIdentity identity,
    IOptions<EdgeOptions> options,
    TimeProvider time,
    ILogger<RouteTableSync> logger) : BackgroundService
{
    private readonly RouteTableObserver _observer = new();
    private readonly ProxyEntities _entities = new();
    private ConsumerDirectory _consumers = ConsumerDirectory.Empty;
    private AdminDirectory _admins = AdminDirectory.Empty;
    private IRouteTableObserver? _reference;
    private long _version = -1;

    private IRouteTableGrain Grain => grains.GetGrain<IRouteTableGrain>(IRouteTableGrain.DefaultKey);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _reference = grains.CreateObjectReference<IRouteTableObserver>(_observer);
        if (options.Value.DeclarativeConfig is { Length: > 0 } file)
        {
            var version = await declarative.ApplyFileAsync(file, cancellationToken);
            LogDeclarativeApplied(logger, file, version);
        }

        // Serve nothing until the first table is in: an edge with an empty table would answer 404 to everything.
        while (true)
        {
            try
            {
                await RenewAndPullAsync(force: true);
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSyncFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            }
        }

        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_reference is not null)
            {
                await Grain.Unsubscribe(_reference, identity.EdgeId).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSyncFailed(logger, ex);
        }

        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Sync.PollInterval;
        var nextRenewal = time.GetUtcNow() + interval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var wait = nextRenewal - time.GetUtcNow();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
                long? notified = null;
                try
                {
                    notified = await _observer.Versions.ReadAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                }

                if (notified is { } version)
                {
                    if (version > _version)
                    {
                        await PullAsync();
                    }
                }
                else
                {
                    await RenewAndPullAsync(force: false);
                    nextRenewal = time.GetUtcNow() + interval;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogSyncFailed(logger, ex);
                nextRenewal = time.GetUtcNow() + interval;
            }
        }
    }

    private async Task RenewAndPullAsync(bool force)
    {
        var report = new EdgeReport
        {
            EdgeId = identity.EdgeId,
            Region = identity.Region,
            Hostname = identity.Hostname,
            AppliedVersion = _version,
            TargetHealth = health.Report(),
        };
        var current = await Grain.Subscribe(_reference!, report);
        store.MarkContact(time.GetUtcNow());
        if (force || current != _version)
        {
            await PullAsync();
        }
    }

    private async Task PullAsync()
    {
        var delta = await Grain.GetChangesSince(_version);
        store.MarkContact(time.GetUtcNow());
        if (delta.Version == _version && !delta.IsFullSnapshot)
        {
            return;
        }

        _entities.Apply(delta.IsFullSnapshot, delta.Upserts, delta.Deletes);
        _consumers = _consumers.Apply(delta.IsFullSnapshot, delta.Upserts, delta.Deletes);
        _admins = _admins.Apply(delta.IsFullSnapshot, delta.Upserts, delta.Deletes);
        var snapshot = builder.Build(delta.Version, _entities, _consumers, _admins);
        store.Publish(snapshot);
        _version = delta.Version;
        LogApplied(logger, delta.Version, delta.IsFullSnapshot, delta.Upserts.Length, delta.Deletes.Length);
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Applied route table version {Version} (full: {Full}, {Upserts} upserts, {Deletes} deletes)")]
    private static partial void LogApplied(ILogger logger, long version, bool full, int upserts, int deletes);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Route table sync failed; serving the last table and retrying")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Declarative configuration {File} applied as route table version {Version}")]
    private static partial void LogDeclarativeApplied(ILogger logger, string file, long version);
}
