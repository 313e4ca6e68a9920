using Microsoft.Extensions.Logging;

namespace Turnpike.Metering;

/// <summary>
/// Adds edges' batches to one hour and shard of meters. A batch whose (edge instance, sequence) was applied
/// already is acknowledged without being added again; a batch is stored before it is acknowledged, and a
/// failed store deactivates the grain so that what it serves is what storage holds.
/// </summary>
public sealed partial class MeterGrain(
    [PersistentState("meters", GrainStorageNames.Default)] IPersistentState<MeterGrainState> state,
    ILogger<MeterGrain> logger) : Grain, IMeterGrain
{
    private Dictionary<(Guid Consumer, Guid Service, Guid Route), MeterEntry>? _index;

    public async Task Apply(MeterBatch batch)
    {
        if (state.State.Applied.TryGetValue(batch.EdgeInstance, out var last) && batch.Sequence <= last)
        {
            LogDuplicate(logger, batch.EdgeInstance, batch.Sequence, this.GetPrimaryKeyString());
            return;
        }

        if (state.State.Rows.Count == 0 && batch.Entries.Length > 0)
        {
            // Listed before anything is stored here, so a report never misses an hour that has meters.
            await GrainFactory.GetGrain<IMeterIndexGrain>(IMeterIndexGrain.DefaultKey).Add(batch.Entries[0].Hour);
        }

        var index = Index();
        foreach (var entry in batch.Entries)
        {
            if (index.TryGetValue((entry.ConsumerId, entry.ServiceId, entry.RouteId), out var row))
            {
                row.Counters.Add(entry.Counters);
            }
            else
            {
                var added = entry with { Counters = entry.Counters.Copy() };
                state.State.Rows.Add(added);
                index[(entry.ConsumerId, entry.ServiceId, entry.RouteId)] = added;
            }
        }

        state.State.Applied[batch.EdgeInstance] = batch.Sequence;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            // Memory now holds a batch storage may not: start over from storage; the edge sends the batch again.
            DeactivateOnIdle();
            LogStoreFailed(logger, ex, this.GetPrimaryKeyString());
            throw;
        }
    }

    public Task<MeterEntry[]> Entries(Guid? consumerId, Guid? serviceId) => Task.FromResult(state.State.Rows
        .Where(r => (consumerId is null || r.ConsumerId == consumerId) && (serviceId is null || r.ServiceId == serviceId))
        .ToArray());

    private Dictionary<(Guid Consumer, Guid Service, Guid Route), MeterEntry> Index() =>
        _index ??= state.State.Rows.ToDictionary(r => (r.ConsumerId, r.ServiceId, r.RouteId));

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Meter batch {Sequence} of {Edge} was applied to {Key} already; acknowledged again")]
    private static partial void LogDuplicate(ILogger logger, string edge, long sequence, string key);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Meter grain {Key} could not store a batch; it reloads from storage and the edge resends")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string key);
}
