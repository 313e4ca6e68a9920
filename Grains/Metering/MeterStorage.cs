using Orleans.Storage;

namespace Turnpike.Metering;

/// <summary>
/// Persists a meter grain so that storing a batch costs what the batch holds, not what the hour holds: each batch is
/// one delta record, and the whole shard is written as a snapshot only once the deltas since the last one hold as many
/// entries as the shard has rows (or the delta ring is full), which keeps the snapshot's cost per batch no larger than
/// the batch's own. The k-th delta after a snapshot is stored in slot k of at most <see cref="DeltaSlots"/> records, so
/// each snapshot frees the slots for the next deltas and storage holds about one snapshot's worth of deltas, never a
/// row per batch. Loading reads the snapshot, then slot 0, 1, … while each holds the next delta number after the
/// snapshot's <see cref="MeterGrainState.DeltasFrom"/>; a slot with an older number is a delta the snapshot holds.
/// </summary>
internal sealed class MeterStorage(IGrainStorage storage, GrainId grainId)
{
    public const int DeltaSlots = 256;

    /// <summary>Below this many delta entries a snapshot waits (unless the ring is full): a tiny shard would otherwise double every write.</summary>
    public const int MinSnapshotEntries = 1024;

    private const string SnapshotName = "meters";

    private readonly GrainState<MeterGrainState> _snapshot = new(new MeterGrainState());

    // Each slot's last known record and version (ETag); null until read or written by this activation.
    private readonly GrainState<MeterDelta>?[] _slots = new GrainState<MeterDelta>?[DeltaSlots];
    private long _next;
    private int _pendingEntries;

    /// <summary>The grain's content: the snapshot as loaded, which the grain keeps adding to.</summary>
    public MeterGrainState Content => _snapshot.State ??= new MeterGrainState();

    /// <summary>Deltas stored since the snapshot.</summary>
    public int PendingDeltas => (int)(_next - Content.DeltasFrom);

    /// <summary>Reads the snapshot and returns the deltas stored after it, in order, for the grain to apply.</summary>
    public async Task<IReadOnlyList<MeterDelta>> LoadAsync()
    {
        await storage.ReadStateAsync(SnapshotName, grainId, _snapshot);
        _next = Content.DeltasFrom;
        var deltas = new List<MeterDelta>();
        while (PendingDeltas < DeltaSlots)
        {
            var slot = await ReadSlotAsync(PendingDeltas);
            if (!slot.RecordExists || slot.State is not { } delta || delta.Number != _next)
            {
                break;
            }

            deltas.Add(delta);
            _pendingEntries += delta.Entries.Length;
            _next++;
        }

        return deltas;
    }

    /// <summary>Stores one batch as the next delta. The caller applies it to <see cref="Content"/> once this returned.</summary>
    public async Task AppendAsync(MeterBatch batch)
    {
        if (PendingDeltas >= DeltaSlots)
        {
            throw new InvalidOperationException("The delta ring is full; a snapshot must be stored first.");
        }

        var index = PendingDeltas;
        var slot = _slots[index] ?? await ReadSlotAsync(index);
        slot.State = new MeterDelta { Number = _next, EdgeInstance = batch.EdgeInstance, Sequence = batch.Sequence, Entries = batch.Entries };
        await storage.WriteStateAsync(SlotName(index), grainId, slot);
        _next++;
        _pendingEntries += batch.Entries.Length;
    }

    /// <summary>True when the deltas hold as many entries as the shard has rows, or the ring is full.</summary>
    public bool SnapshotDue => PendingDeltas >= DeltaSlots || _pendingEntries >= Math.Max(Content.Rows.Count, MinSnapshotEntries);

    /// <summary>Stores <see cref="Content"/>, which holds every delta so far; their slots are free again after.</summary>
    public async Task SaveSnapshotAsync()
    {
        Content.DeltasFrom = _next;
        await storage.WriteStateAsync(SnapshotName, grainId, _snapshot);
        _pendingEntries = 0;
    }

    private async Task<GrainState<MeterDelta>> ReadSlotAsync(int index)
    {
        var slot = new GrainState<MeterDelta>();
        await storage.ReadStateAsync(SlotName(index), grainId, slot);
        return _slots[index] = slot;
    }

    private static string SlotName(int slot) => $"meters-d{slot:D3}";
}
