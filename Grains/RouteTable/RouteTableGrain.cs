using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using Turnpike.Cluster;
using Turnpike.Hosting;

namespace Turnpike.RouteTable;

/// <summary>
/// Holds the route table: validates and persists each write as one new version, then tells every
/// subscribed edge (one-way, in parallel). Reads interleave with writes and see the last committed table.
/// </summary>
public sealed partial class RouteTableGrain(
    [FromKeyedServices(GrainStorageNames.Default)] IGrainStorage storage,
    IOptions<RouteTableOptions> options,
    IOptions<Turnpike.Regions.RegionOptions> regions,
    TimeProvider time,
    ILogger<RouteTableGrain> logger) : Grain, IRouteTableGrain
{
    private static readonly TimeSpan MaxLoadRetryDelay = TimeSpan.FromSeconds(2);
    private readonly RouteTableOptions _options = options.Value;
    private readonly RouteTableChangeLog _log = new(options.Value.ChangeLogCapacity);
    private readonly Dictionary<string, (IRouteTableObserver Observer, EdgeReport Report)> _edges = new(StringComparer.Ordinal);
    private const long FullTableKey = long.MinValue;
    private const int MaxCachedAnswers = 16;
    private RouteTableContent _table = RouteTableContent.Empty;

    // The answers of GetChangesSince for the current version, by the version asked from (FullTableKey: the whole table).
    private readonly Dictionary<long, RouteTableDelta> _answers = [];
    private long _answeredVersion = -1;

    // Completed (and replaced) whenever the version or the home changes: what held replica pulls wait on.
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // What each other region has stored of this epoch (ConfirmReplica), for writes acknowledged once another region holds them.
    private readonly Dictionary<string, long> _replicated = new(StringComparer.Ordinal);
    private TaskCompletionSource _replicaConfirmed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RouteTableStorage _storage = null!;

    // This region's name, and which region takes writes under which epoch (stored with the table).
    private readonly string _region = regions.Value.Name;
    private HomeState _home = new();

    // Recently applied write ids and their versions, so a write sent again is answered, not applied again.
    private readonly Dictionary<Guid, long> _appliedWrites = [];
    private readonly Queue<Guid> _appliedOrder = new();

    /// <summary>
    /// The last committed version: advanced only once the table and change log hold the write. Reads interleave
    /// with a write's storage awaits, and an edge shown a version before its changes are in the log would skip them.
    /// </summary>
    private long Version { get; set; }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var entities = await LoadAsync(cancellationToken);
        _table = RouteTableContent.From(entities);
        Version = _storage.Version;
        Remember(_storage.LastWriteId, Version);
        _log.Reset(Version);
        var (epoch, home, epochStart, tableEpoch) = _storage.HomeRecord;
        _home = new HomeState { Epoch = epoch, Home = home ?? regions.Value.Home ?? _region, EpochStart = epochStart, TableEpoch = tableEpoch };
        LogActivated(logger, this.GetPrimaryKeyString(), Version, _table.Services.Count, _table.Routes.Count);
    }

    /// <summary>Loads the stored table, retrying with back-off: calls queued behind the activation wait rather than fail.</summary>
    private async Task<IReadOnlyList<GatewayEntity>> LoadAsync(CancellationToken cancellationToken)
    {
        var backoff = new RetryBackoff(_options.LoadRetryDelay, _options.LoadRetryDelay > MaxLoadRetryDelay ? _options.LoadRetryDelay : MaxLoadRetryDelay);
        while (true)
        {
            // A fresh reader per attempt: a failed one may hold some partitions.
            _storage = new RouteTableStorage(storage, this.GetGrainId());
            try
            {
                return await _storage.LoadAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException && backoff.Failures + 1 < _options.LoadAttempts)
            {
                var delay = backoff.Next();
                LogLoadRetried(logger, backoff.Failures, _options.LoadAttempts, ex.GetType().Name, ex.Message.ReplaceLineEndings(" "), delay.TotalMilliseconds);
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogStorageFailed(logger, ex);
                throw new StateStoreUnavailableException("The route table could not be loaded from storage: " + ex.Message);
            }
        }
    }

    private void Remember(Guid writeId, long version)
    {
        if (writeId == Guid.Empty || !_appliedWrites.TryAdd(writeId, version))
        {
            return;
        }

        _appliedOrder.Enqueue(writeId);
        if (_appliedOrder.Count > 1024)
        {
            _appliedWrites.Remove(_appliedOrder.Dequeue());
        }
    }

    public async Task<RouteTableWriteResult> Write(RouteTableWrite write)
    {
        if (write.WriteId != Guid.Empty && _appliedWrites.TryGetValue(write.WriteId, out var appliedAt))
        {
            LogReplayed(logger, write.WriteId, appliedAt);
            return new RouteTableWriteResult
            {
                Version = appliedAt,
                Stored = [.. write.Upserts.Select(e => _table.Find(e.Kind, e.Id)).OfType<GatewayEntity>()],
            };
        }

        if (_home.Home != _region)
        {
            // The home moved away (or this region follows another): committing here would make two homes.
            return new RouteTableWriteResult { Version = Version, Error = NotHome() };
        }

        var result = _table.Apply(write, time.GetUtcNow().ToUnixTimeSeconds());
        if (result.Error is not null || result.Table is null)
        {
            return new RouteTableWriteResult { Version = Version, Error = result.Error };
        }

        var version = Version + 1;
        var previousRecord = _storage.HomeRecord;
        _storage.HomeRecord = (_home.Epoch, _home.Home, _home.EpochStart, _home.Epoch);
        try
        {
            await _storage.SaveAsync(version, new RouteTableWriteRecord { ReplaceAll = write.ReplaceAll, Upserts = result.Stored, Deletes = result.Deleted, WriteId = write.WriteId });
            _home = _home with { TableEpoch = _home.Epoch };
        }
        catch (Exception ex)
        {
            _storage.HomeRecord = previousRecord;
            // What storage holds is now uncertain: start over from it, where the stored write is applied again.
            DeactivateOnIdle();
            LogStorageFailed(logger, ex);
            throw new StateStoreUnavailableException("The change could not be stored, and may or may not have been applied: " + ex.Message);
        }

        _table = result.Table;
        if (write.ReplaceAll)
        {
            _log.Reset(version);
        }
        else
        {
            _log.Append(version, result.Deleted, result.Stored);
        }

        Version = version;
        Remember(write.WriteId, version);
        // The change goes with the notice, so edges at the previous version apply it without asking; a whole table they ask for.
        var change = write.ReplaceAll ? null : ChangesSince(version - 1);
        NotifyEdges(version, change is { IsFullSnapshot: false } ? change : null);
        Changed();
        return new RouteTableWriteResult { Version = version, Stored = result.Stored };
    }

    public Task<long> GetVersion() => Task.FromResult(Version);

    public Task<HomeState> GetHome() => Task.FromResult(_home with { Version = Version });

    public async Task<HomeState> MoveHome(string region)
    {
        if (_home.Home == region)
        {
            return _home with { Version = Version };
        }

        if (region != _region)
        {
            throw new ArgumentException($"region '{_region}' can only make itself the home (asked for '{region}')", nameof(region));
        }

        // Every write this table holds was committed under an older epoch; this epoch's writes come after this version.
        await StoreHomeAsync(_home with { Epoch = _home.Epoch + 1, Home = region, EpochStart = Version });
        LogHomeMoved(logger, region, _home.Epoch, Version);
        return _home with { Version = Version };
    }

    public async Task<HomeState> AdoptHome(long epoch, string home)
    {
        if (epoch > _home.Epoch)
        {
            var previous = _home.Home;
            await StoreHomeAsync(_home with { Epoch = epoch, Home = home });
            LogHomeAdopted(logger, home, epoch, previous);
        }

        return _home with { Version = Version };
    }

    /// <summary>Stores the home with the table's header (same version, nothing to redo), then holds it.</summary>
    private async Task StoreHomeAsync(HomeState home)
    {
        var previous = _storage.HomeRecord;
        _storage.HomeRecord = (home.Epoch, home.Home, home.EpochStart, home.TableEpoch);
        try
        {
            await _storage.SaveAsync(Version, new RouteTableWriteRecord());
        }
        catch (Exception ex)
        {
            _storage.HomeRecord = previous;
            DeactivateOnIdle();
            LogStorageFailed(logger, ex);
            throw new StateStoreUnavailableException("The home region's change could not be stored: " + ex.Message);
        }

        _home = home;
        Changed();
    }

    /// <summary>Releases the held replica pulls (<see cref="WaitForReplicaChanges"/>): the version or the home changed.</summary>
    private void Changed()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private AdminError NotHome() => new()
    {
        Name = "home region moved",
        Message = $"Region '{_region}' does not take writes: the home region is '{_home.Home}' (epoch {_home.Epoch})",
        HttpStatus = 503,
    };

    public async Task<RouteTableDelta> GetReplicaChanges(long version, long tableEpoch)
    {
        // A table of an older epoch beyond where this epoch began may hold an old home's writes this one never had.
        var delta = tableEpoch < _home.Epoch && version > _home.EpochStart ? await GetChangesSince(-1) : await GetChangesSince(version);
        return delta with { Epoch = _home.Epoch };
    }

    public async Task<RouteTableDelta> WaitForReplicaChanges(long version, long tableEpoch, long epoch, TimeSpan wait)
    {
        var changed = _changed.Task;
        var delta = await GetReplicaChanges(version, tableEpoch);
        if (delta.Version != version || delta.IsFullSnapshot || delta.Epoch != epoch || wait <= TimeSpan.Zero)
        {
            return delta;
        }

        // Held (other calls interleave) until a commit or a change of home completes the task, or the wait ends.
        using var stop = new CancellationTokenSource();
        await Task.WhenAny(changed, Task.Delay(wait < IRouteTableGrain.MaxReplicaWait ? wait : IRouteTableGrain.MaxReplicaWait, time, stop.Token));
        await stop.CancelAsync();
        return await GetReplicaChanges(version, tableEpoch);
    }

    public Task ConfirmReplica(string region, long version, long tableEpoch)
    {
        // Only a table written under this epoch and not beyond this one holds this home's writes (an old home's may not).
        if (tableEpoch == _home.Epoch && region != _region && version <= Version
            && (!_replicated.TryGetValue(region, out var known) || version > known))
        {
            _replicated[region] = version;
            var confirmed = _replicaConfirmed;
            _replicaConfirmed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            confirmed.TrySetResult();
        }

        return Task.CompletedTask;
    }

    public async Task<bool> WaitForReplicated(long version, TimeSpan wait)
    {
        var deadline = time.GetTimestamp() + (long)(wait.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            var confirmed = _replicaConfirmed.Task;
            if (_replicated.Values.Any(stored => stored >= version))
            {
                return true;
            }

            var left = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            using var stop = new CancellationTokenSource();
            await Task.WhenAny(confirmed, Task.Delay(left, time, stop.Token));
            await stop.CancelAsync();
        }
    }

    public async Task<long> ApplyReplica(long fromVersion, RouteTableDelta delta)
    {
        // Several silos of a region pull the same changes: the first applies them; the others, asking from a version this
        // table has left, are told where it is and ask again from there.
        if (delta.Epoch != _home.Epoch)
        {
            // Changes stamped by an old home are refused (a pull in flight when this region became the home among them); a
            // newer epoch is taken from the home's announcement first, which names the home.
            LogReplicaRefused(logger, delta.Epoch, _home.Epoch, _home.Home);
            return Version;
        }

        if (fromVersion != Version || (!delta.IsFullSnapshot && delta.Version == Version))
        {
            return Version;
        }

        var table = _table.Replicated(delta);
        var previousRecord = _storage.HomeRecord;
        var previousLineage = _storage.Lineage;
        _storage.HomeRecord = (_home.Epoch, _home.Home, _home.EpochStart, delta.Epoch);
        if (delta.IsFullSnapshot)
        {
            // Another table than this one's history (an old home's writes replaced, perhaps at the same version number):
            // edges that meet the new lineage pull all of it, whatever version they hold.
            _storage.Lineage = Guid.NewGuid();
        }

        try
        {
            // Storage's replacement keeps admins (a declarative file has none); the home's whole table has them all, so
            // what it lacks is deleted by name.
            var deletes = delta.IsFullSnapshot
                ? [.. _table.All().Where(e => table.Find(e.Kind, e.Id) is null).Select(e => new EntityRef(e.Kind, e.Id))]
                : delta.Deletes;
            await _storage.SaveAsync(delta.Version, new RouteTableWriteRecord { ReplaceAll = delta.IsFullSnapshot, Upserts = delta.Upserts, Deletes = deletes });
            _home = _home with { TableEpoch = delta.Epoch };
        }
        catch (Exception ex)
        {
            _storage.HomeRecord = previousRecord;
            _storage.Lineage = previousLineage;
            DeactivateOnIdle();
            LogStorageFailed(logger, ex);
            throw new StateStoreUnavailableException("The home region's change could not be stored: " + ex.Message);
        }

        _table = table;
        _answeredVersion = -1; // the answers built for edges describe the table before this change
        _answers.Clear();
        if (delta.IsFullSnapshot)
        {
            _log.Reset(delta.Version);
        }
        else
        {
            // One entry for the versions the delta spans: an edge of this region at any of them gets the net changes.
            _log.Append(delta.Version, delta.Deletes, delta.Upserts);
        }

        Version = delta.Version;
        LogReplicated(logger, fromVersion, delta.Version, delta.IsFullSnapshot);
        // After a whole table, -1: no edge holds it, so every edge pulls (and meets the new lineage) even at the same version.
        NotifyEdges(delta.IsFullSnapshot ? -1 : delta.Version);
        Changed();
        return Version;
    }

    public Task<GatewayEntity?> Find(EntityKind kind, string idOrName) => Task.FromResult(_table.Find(kind, idOrName));

    public Task<EntityPage> List(EntityQuery query)
    {
        IEnumerable<GatewayEntity> source = query.Kind switch
        {
            EntityKind.Service => _table.Services.ById.Values,
            EntityKind.Route => _table.Routes.ById.Values.Where(r => query.ServiceId is null || r.ServiceId == query.ServiceId),
            EntityKind.Plugin => _table.Plugins.ById.Values.Where(p =>
                (query.ServiceId is null || p.ServiceId == query.ServiceId) && (query.RouteId is null || p.RouteId == query.RouteId)
                && (query.ConsumerId is null || p.ConsumerId == query.ConsumerId)),
            EntityKind.Consumer => _table.Consumers.ById.Values.Where(c => query.CustomId is null || c.CustomId == query.CustomId),
            EntityKind.Upstream => _table.Upstreams.ById.Values,
            EntityKind.Target => _table.Targets.ById.Values.Where(t => query.UpstreamId is null || t.UpstreamId == query.UpstreamId),
            EntityKind.Admin => _table.Admins.ById.Values,
            EntityKind.Certificate => _table.Certificates.ById.Values,
            EntityKind.Sni => _table.Snis.ById.Values.Where(s => query.CertificateId is null || s.CertificateId == query.CertificateId),
            EntityKind.CaCertificate => _table.CaCertificates.ById.Values,
            _ => _table.OwnedOf(query.Kind).ById.Values.Where(e => query.ConsumerId is null || ((IConsumerScopedEntity)e).ConsumerId == query.ConsumerId),
        };
        if (query.After is { } after)
        {
            source = source.SkipWhile(e => e.Id.CompareTo(after) <= 0);
        }

        if (query.Tags is { Length: > 0 } tags)
        {
            source = source.Where(e => e.Tags is { } own && (query.AllTags ? tags.All(own.Contains) : tags.Any(own.Contains)));
        }

        var items = source.Take(query.Size + 1).ToArray();
        var page = items.Length > query.Size
            ? new EntityPage { Items = items[..query.Size], NextAfter = items[query.Size - 1].Id }
            : new EntityPage { Items = items };
        return Task.FromResult(page);
    }

    public Task<RouteTableDelta> GetChangesSince(long version) => Task.FromResult(ChangesSince(version));

    private RouteTableDelta ChangesSince(long version)
    {
        var current = Version;
        if (version == current)
        {
            return new RouteTableDelta { Version = current, Lineage = _storage.Lineage };
        }

        // Every edge told of a version asks for the same delta (they were all on the previous one), and after a restart
        // for the same whole table: built once per version and answered to all (deltas are immutable).
        if (_answeredVersion != current)
        {
            _answers.Clear();
            _answeredVersion = current;
        }

        var key = version < current && version >= _log.Floor ? version : FullTableKey;
        if (!_answers.TryGetValue(key, out var delta))
        {
            delta = key != FullTableKey && _log.Since(version) is { } changes
                ? new RouteTableDelta { Version = current, Lineage = _storage.Lineage, Upserts = changes.Upserts, Deletes = changes.Deletes }
                // Too far behind, ahead of us (the table was reset), or new: the whole table.
                : new RouteTableDelta { Version = current, Lineage = _storage.Lineage, IsFullSnapshot = true, Upserts = [.. _table.All()] };
            if (_answers.Count >= MaxCachedAnswers)
            {
                _answers.Clear();
            }

            _answers[key] = delta;
        }

        return delta;
    }

    public Task<long> Subscribe(IRouteTableObserver observer, EdgeReport report)
    {
        _edges[report.EdgeId] = (observer, report with { LastSeenMs = time.GetUtcNow().ToUnixTimeMilliseconds() });
        return Task.FromResult(Version);
    }

    public Task Unsubscribe(IRouteTableObserver observer, string edgeId)
    {
        _edges.Remove(edgeId);
        return Task.CompletedTask;
    }

    public Task<EdgeReport[]> GetEdges()
    {
        DropExpiredEdges();
        return Task.FromResult(_edges.Values.Select(e => e.Report).OrderBy(r => r.EdgeId, StringComparer.Ordinal).ToArray());
    }

    /// <param name="delta">The change from <c>version - 1</c>, pushed to the edges with the notice; null: they ask.</param>
    private void NotifyEdges(long version, RouteTableDelta? delta = null)
    {
        DropExpiredEdges();
        foreach (var (edgeId, edge) in _edges)
        {
            try
            {
                // One-way: returns at once; an edge that missed it repairs by its periodic poll.
                _ = delta is null ? edge.Observer.OnRouteTableChanged(version) : edge.Observer.OnRouteTableDelta(version - 1, delta);
            }
            catch (Exception ex)
            {
                LogNotifyFailed(logger, ex, edgeId);
            }
        }
    }

    private void DropExpiredEdges()
    {
        var oldest = time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_options.EdgeExpiry.TotalMilliseconds;
        foreach (var (edgeId, edge) in _edges.Where(e => e.Value.Report.LastSeenMs < oldest).ToList())
        {
            _edges.Remove(edgeId);
        }
    }

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Loading the route table failed (attempt {Attempt} of {Attempts}: {Error}: {Reason}); retrying in {DelayMs:F0} ms")]
    private static partial void LogLoadRetried(ILogger logger, int attempt, int attempts, string error, string reason, double delayMs);
    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Route table replicated from the home region: version {From} to {Version} (whole table: {Whole})")]
    private static partial void LogReplicated(ILogger logger, long from, long version, bool whole);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Warning, Message = "This region is now the home for writes: region {Home}, epoch {Epoch}, from version {Version}")]
    private static partial void LogHomeMoved(ILogger logger, string home, long epoch, long version);

    [LoggerMessage(EventId = 5015, Level = LogLevel.Warning, Message = "The home moved to region {Home} (epoch {Epoch}); it was {Previous}")]
    private static partial void LogHomeAdopted(ILogger logger, string home, long epoch, string previous);

    [LoggerMessage(EventId = 5016, Level = LogLevel.Warning, Message = "Refused replicated changes of epoch {Epoch}: this region is at epoch {Current}, home {Home}")]
    private static partial void LogReplicaRefused(ILogger logger, long epoch, long current, string home);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Write {WriteId} was applied already (version {Version}); answered again")]
    private static partial void LogReplayed(ILogger logger, Guid writeId, long version);

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Route table {Key} activated at version {Version} with {Services} services and {Routes} routes")]
    private static partial void LogActivated(ILogger logger, string key, long version, int services, int routes);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Route table storage failed; the grain deactivates and reloads on its next call")]
    private static partial void LogStorageFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Could not notify edge {EdgeId} of a route table change")]
    private static partial void LogNotifyFailed(ILogger logger, Exception exception, string edgeId);
}
