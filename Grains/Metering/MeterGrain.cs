using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using Turnpike.Cluster;

namespace Turnpike.Metering;

/// <summary>
/// Adds edges' batches to one hour and shard of meters. A batch whose (edge instance, sequence) was applied
/// already is acknowledged without being added again; a batch is stored (as a delta, <see cref="MeterStorage"/>)
/// before it is added and acknowledged, and a failed store deactivates the grain so that what it serves is what
/// storage holds.
/// </summary>
public sealed partial class MeterGrain(
    [FromKeyedServices(GrainStorageNames.Default)] IGrainStorage storage,
    ILogger<MeterGrain> logger) : Grain, IMeterGrain
{
    private readonly Dictionary<(Guid Consumer, Guid Service, Guid Route), MeterEntry> _index = [];
    private MeterStorage _storage = null!;
    private bool _broken;

    private MeterGrainState Content => _storage.Content;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _storage = new MeterStorage(storage, this.GetGrainId());
        var deltas = await _storage.LoadAsync();
        foreach (var row in Content.Rows)
        {
            _index[(row.ConsumerId, row.ServiceId, row.RouteId)] = row;
        }

        foreach (var delta in deltas)
        {
            // A delta the snapshot holds already (a snapshot stored, its slots not yet reused) is skipped by its sequence.
            if (!IsApplied(delta.EdgeInstance, delta.Sequence))
            {
                Add(delta.EdgeInstance, delta.Sequence, delta.Entries);
            }
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The hour is over or the grain idle: fold its deltas into the snapshot now. Best effort; loading replays them anyway.
        if (!_broken && _storage is { PendingDeltas: > 0 })
        {
            try
            {
                await _storage.SaveSnapshotAsync();
            }
            catch (Exception ex)
            {
                LogSnapshotFailed(logger, this.GetPrimaryKeyString(), ex.GetType().Name, ex.Message);
            }
        }
    }

    public async Task Apply(MeterBatch batch)
    {
        if (IsApplied(batch.EdgeInstance, batch.Sequence))
        {
            LogDuplicate(logger, batch.EdgeInstance, batch.Sequence, this.GetPrimaryKeyString());
            return;
        }

        if (_broken)
        {
            // Storage failed under this activation; the edge sends the batch again to the next one, loaded from storage.
            throw new StateStoreUnavailableException($"Meter grain {this.GetPrimaryKeyString()} is reloading from storage; send the batch again.");
        }

        if (_index.Count == 0 && batch.Entries.Length > 0)
        {
            // Listed before anything is stored here, so a report never misses an hour that has meters.
            await GrainFactory.GetGrain<IMeterIndexGrain>(IMeterIndexGrain.DefaultKey).Add(batch.Entries[0].Hour);
        }

        try
        {
            await _storage.AppendAsync(batch);
        }
        catch (Exception ex)
        {
            // The delta may or may not be stored: start over from storage; the edge sends the batch again.
            Break();
            LogStoreFailed(logger, ex, this.GetPrimaryKeyString());
            throw;
        }

        Add(batch.EdgeInstance, batch.Sequence, batch.Entries);
        if (_storage.SnapshotDue)
        {
            try
            {
                await _storage.SaveSnapshotAsync();
            }
            catch (Exception ex)
            {
                // The batch is stored (its delta): acknowledged. The next activation starts from the last snapshot and its deltas.
                Break();
                LogSnapshotFailed(logger, this.GetPrimaryKeyString(), ex.GetType().Name, ex.Message);
            }
        }
    }

    public Task<MeterEntry[]> Entries(Guid? consumerId, Guid? serviceId) => Task.FromResult(Content.Rows
        .Where(r => (consumerId is null || r.ConsumerId == consumerId) && (serviceId is null || r.ServiceId == serviceId))
        .ToArray());

    private bool IsApplied(string edge, long sequence) => Content.Applied.TryGetValue(edge, out var last) && sequence <= last;

    private void Add(string edge, long sequence, MeterEntry[] entries)
    {
        foreach (var entry in entries)
        {
            if (_index.TryGetValue((entry.ConsumerId, entry.ServiceId, entry.RouteId), out var row))
            {
                row.Counters.Add(entry.Counters);
            }
            else
            {
                var added = entry with { Counters = entry.Counters.Copy() };
                Content.Rows.Add(added);
                _index[(entry.ConsumerId, entry.ServiceId, entry.RouteId)] = added;
            }
        }

        Content.Applied[edge] = sequence;
    }

    private void Break()
    {
        _broken = true;
        DeactivateOnIdle();
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Meter batch {Sequence} of {Edge} was applied to {Key} already; acknowledged again")]
    private static partial void LogDuplicate(ILogger logger, string edge, long sequence, string key);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Meter grain {Key} could not store a batch; it reloads from storage and the edge resends")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string key);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Meter grain {Key} could not store its snapshot ({Exception}: {Reason}); its deltas keep what it holds and it reloads from storage")]
    private static partial void LogSnapshotFailed(ILogger logger, string key, string exception, string reason);
}
