using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Admin.Authentication;
using Turnpike.Edge.Admin.Declarative;
using Turnpike.Edge.Consumers;
using Turnpike.Edge.Hosting;
using Turnpike.Edge.Upstreams;
using Turnpike.Hosting;

namespace Turnpike.Edge.RouteTable;

/// <summary>
/// Keeps this edge's snapshot equal to the cluster's route table: pulls the table at start (after applying
/// a declarative file if one is given), then applies each change the table pushes with its notice (when it follows
/// the version held here), pulls the changes when a notice comes without one or out of turn, and polls
/// periodically (versioned; it also renews the subscription), so a missed notice is repaired within one interval.
/// While the route table cannot be reached the edge serves its last table and retries with jittered exponential
/// back-off (<see cref="RetryBackoff"/>), logging once when contact is lost and once when it is back, so a fleet
/// whose silo restarts neither storms it nor fills its logs; on contact again it resynchronises once.
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
    ILogger<RouteTableSync> logger,
    RouteTableSyncMetrics metrics) : BackgroundService
{
    private readonly RouteTableObserver _observer = new();
    private readonly ProxyEntities _entities = new();
    private readonly TableDigest _digest = new();
    private readonly RetryBackoff _backoff = new(options.Value.Sync.RetryInitialDelay, options.Value.Sync.RetryMaxDelay);
    private ConsumerDirectory _consumers = ConsumerDirectory.Empty;
    private AdminDirectory _admins = AdminDirectory.Empty;
    private IRouteTableObserver? _reference;
    private long _version = -1;
    private Guid _lineage;
    private DateTimeOffset? _lostSince;
    private IRouteTableGrain? _grain;

    // Made once: GetGrain resolves the interface by reflection on every call, which showed in the cost of applying a change.
    private IRouteTableGrain Grain => _grain ??= grains.GetGrain<IRouteTableGrain>(IRouteTableGrain.DefaultKey);

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
                Recovered();
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await Task.Delay(Failed(ex), time, cancellationToken);
            }
        }

        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_reference is not null && _lostSince is null)
            {
                await Grain.Unsubscribe(_reference, identity.EdgeId).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Stopping anyway: the grain drops the subscription when it expires.
        }

        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sync = options.Value.Sync;
        var nextRenewal = time.GetUtcNow() + sync.PollInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var wait = nextRenewal - time.GetUtcNow();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
                RouteTableNotice? notified = null;
                try
                {
                    notified = await _observer.Notices.ReadAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                }

                if (notified is { } notice)
                {
                    if (notice.Delta is { } pushed && notice.FromVersion == _version && pushed.Lineage == _lineage)
                    {
                        // The change that follows the version held here: applied as it came, without asking the grain.
                        store.MarkContact(time.GetUtcNow());
                        Apply(pushed);
                        metrics.CountPushed();
                    }
                    else if (notice.Version != _version)
                    {
                        // Not only a newer version: a region that took a new home's whole table may go back to a lower one.
                        // Every edge is told at once: spread the pulls so the route table is not asked by the whole fleet in one millisecond.
                        if (sync.NotificationSpread > TimeSpan.Zero)
                        {
                            await Task.Delay(sync.NotificationSpread * Random.Shared.NextDouble(), time, stoppingToken);
                        }

                        await PullAsync();
                    }
                }
                else
                {
                    var resync = _lostSince is not null;
                    await RenewAndPullAsync(force: resync);
                    Recovered();
                    nextRenewal = time.GetUtcNow() + sync.PollInterval;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                nextRenewal = time.GetUtcNow() + Failed(ex);
            }
        }
    }

    /// <summary>Counts a failed attempt, logs it if it is the first of an outage, and returns the wait before the next.</summary>
    private TimeSpan Failed(Exception ex)
    {
        var delay = _backoff.Next();
        metrics.CountFailure(delay);
        if (_lostSince is null)
        {
            _lostSince = time.GetUtcNow();
            // One line, no stack trace: the same failure repeats on every attempt of an outage.
            LogContactLost(logger, _version, ex.GetType().Name, FirstLine(ex.Message));
        }

        return delay;
    }

    private void Recovered()
    {
        if (_lostSince is { } since)
        {
            metrics.CountResync();
            LogContactRegained(logger, _version, _backoff.Failures, (time.GetUtcNow() - since).TotalSeconds);
            _lostSince = null;
        }

        _backoff.Reset();
        metrics.InContact();
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
        if (!delta.IsFullSnapshot && delta.Lineage != _lineage)
        {
            // Another stored table than the one this edge's versions count in: start over from all of it.
            delta = await Grain.GetChangesSince(-1);
        }

        store.MarkContact(time.GetUtcNow());
        if (delta.Version == _version && !delta.IsFullSnapshot)
        {
            return;
        }

        Apply(delta);
    }

    private void Apply(RouteTableDelta delta)
    {
        _entities.Apply(delta.IsFullSnapshot, delta.Upserts, delta.Deletes);
        _consumers = _consumers.Apply(delta.IsFullSnapshot, delta.Upserts, delta.Deletes);
        _admins = _admins.Apply(delta.IsFullSnapshot, delta.Upserts, delta.Deletes);
        _digest.Apply(delta.IsFullSnapshot, delta.Upserts, delta.Deletes);
        var snapshot = builder.Build(delta.Version, _entities, _consumers, _admins, _digest.Value);
        store.Publish(snapshot);
        _version = delta.Version;
        _lineage = delta.Lineage;
        metrics.CountApplied(delta.IsFullSnapshot, time.GetUtcNow());
        LogApplied(logger, delta.Version, delta.IsFullSnapshot, delta.Upserts.Length, delta.Deletes.Length);
    }

    private static string FirstLine(string message)
    {
        var end = message.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? message : message[..end];
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Applied route table version {Version} (full: {Full}, {Upserts} upserts, {Deletes} deletes)")]
    private static partial void LogApplied(ILogger logger, long version, bool full, int upserts, int deletes);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Lost contact with the route table ({Error}: {Reason}); serving version {Version} and retrying with back-off")]
    private static partial void LogContactLost(ILogger logger, long version, string error, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Route table reachable again after {Failures} failed attempts in {Seconds:F1} s; resynchronised to version {Version}")]
    private static partial void LogContactRegained(ILogger logger, long version, int failures, double seconds);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Declarative configuration {File} applied as route table version {Version}")]
    private static partial void LogDeclarativeApplied(ILogger logger, string file, long version);
}
