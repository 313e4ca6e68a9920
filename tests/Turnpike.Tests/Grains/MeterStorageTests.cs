using Orleans.Runtime;
using Turnpike.Metering;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Grains;

/// <summary>How a meter grain stores its hour: a delta per batch, a snapshot now and then, and loading the two back.</summary>
[Fast]
public sealed class MeterStorageTests
{
    private static readonly GrainId Grain = GrainId.Create("meter", "1764633600/03");
    private const long Hour = 1764633600;

    private static MeterBatch Batch(string edge, long sequence, int consumers, long requests = 1) => new()
    {
        EdgeInstance = edge,
        Sequence = sequence,
        Entries = [.. Enumerable.Range(0, consumers).Select(i => new MeterEntry
        {
            ConsumerId = new Guid(i, 0, 0, new byte[8]),
            Hour = Hour,
            Counters = new MeterCounters { Requests = requests },
        })],
    };

    /// <summary>Stores a batch as the grain does: the delta first, then its rows, then a snapshot when one is due.</summary>
    private static async Task StoreAsync(MeterStorage storage, MeterBatch batch)
    {
        await storage.AppendAsync(batch);
        Add(storage.Content, batch.Entries);
        storage.Content.Applied[batch.EdgeInstance] = batch.Sequence;
        if (storage.SnapshotDue)
        {
            await storage.SaveSnapshotAsync();
        }
    }

    private static void Add(MeterGrainState content, IEnumerable<MeterEntry> entries)
    {
        foreach (var entry in entries)
        {
            var row = content.Rows.FirstOrDefault(r => r.ConsumerId == entry.ConsumerId);
            if (row is null)
            {
                content.Rows.Add(entry with { Counters = entry.Counters.Copy() });
            }
            else
            {
                row.Counters.Add(entry.Counters);
            }
        }
    }

    private static async Task<(MeterGrainState Content, IReadOnlyList<MeterDelta> Deltas)> LoadAsync(CrashableGrainStorage disk)
    {
        var storage = new MeterStorage(disk, Grain);
        var deltas = await storage.LoadAsync();
        return (storage.Content, deltas);
    }

    [Fact]
    public async Task A_batch_of_one_consumer_stores_one_small_delta_however_many_rows_the_hour_holds()
    {
        var disk = new CrashableGrainStorage();
        var storage = new MeterStorage(disk, Grain);
        await storage.LoadAsync();
        await StoreAsync(storage, Batch("edge-1", 1, consumers: 6000)); // 6,000 entries: due at once (≥ 1,024 and ≥ the rows)
        Assert.Equal(["meters-d000", "meters"], disk.Writes);
        var snapshotBytes = disk.BytesWritten;

        disk.ClearWrites();
        await StoreAsync(storage, Batch("edge-1", 2, consumers: 1));
        Assert.Equal(["meters-d000"], disk.Writes); // the first delta after a snapshot takes the first slot again
        Assert.True(disk.BytesWritten * 100 < snapshotBytes, $"one consumer's delta took {disk.BytesWritten} bytes, the 6,000-row snapshot {snapshotBytes}");
    }

    [Fact]
    public async Task Loading_gives_back_the_snapshot_and_the_deltas_stored_after_it_in_order()
    {
        var disk = new CrashableGrainStorage();
        var storage = new MeterStorage(disk, Grain);
        await storage.LoadAsync();
        await StoreAsync(storage, Batch("edge-1", 1, consumers: 2000));
        await StoreAsync(storage, Batch("edge-1", 2, consumers: 3));
        await StoreAsync(storage, Batch("edge-2", 1, consumers: 4));

        var (content, deltas) = await LoadAsync(disk);
        Assert.Equal(["meters-d000", "meters", "meters-d000", "meters-d001"], disk.Writes);
        Assert.Equal(2000, content.Rows.Count);
        Assert.Equal(1, content.Applied["edge-1"]);
        Assert.Equal([("edge-1", 2L, 3), ("edge-2", 1L, 4)], deltas.Select(d => (d.EdgeInstance, d.Sequence, d.Entries.Length)));
    }

    [Fact]
    public async Task Slots_reused_after_a_snapshot_are_not_replayed()
    {
        var disk = new CrashableGrainStorage();
        var storage = new MeterStorage(disk, Grain);
        await storage.LoadAsync();
        for (var sequence = 1; sequence <= MeterStorage.DeltaSlots; sequence++)
        {
            await StoreAsync(storage, Batch("edge-1", sequence, consumers: 1)); // the last one fills the ring: a snapshot
        }

        Assert.Equal("meters", disk.Writes[^1]);
        await StoreAsync(storage, Batch("edge-1", MeterStorage.DeltaSlots + 1, consumers: 1)); // into slot 0 again

        var (content, deltas) = await LoadAsync(disk);
        Assert.Equal(MeterStorage.DeltaSlots, Assert.Single(content.Rows).Counters.Requests);
        Assert.Equal(MeterStorage.DeltaSlots + 1, Assert.Single(deltas).Sequence);
    }

    [Fact]
    public async Task A_snapshot_waits_until_the_deltas_hold_as_many_entries_as_the_hour_has_rows()
    {
        var disk = new CrashableGrainStorage();
        var storage = new MeterStorage(disk, Grain);
        await storage.LoadAsync();
        await StoreAsync(storage, Batch("edge-1", 1, consumers: 4000)); // snapshot of 4,000 rows
        disk.ClearWrites();
        for (var sequence = 2; sequence <= 5; sequence++)
        {
            await StoreAsync(storage, Batch("edge-1", sequence, consumers: 999));
        }

        Assert.DoesNotContain("meters", disk.Writes); // 3,996 entries in deltas: not yet
        await StoreAsync(storage, Batch("edge-1", 6, consumers: 4));
        Assert.Equal("meters", disk.Writes[^1]); // 4,000: the snapshot costs no more than the deltas did

        // An hour of such cycles reuses the same five slots: storage holds one snapshot and one cycle of deltas.
        for (var sequence = 7; sequence <= 100; sequence++)
        {
            await StoreAsync(storage, Batch("edge-1", sequence, consumers: sequence % 5 == 1 ? 4 : 999));
        }

        Assert.Equal(["meters", "meters-d000", "meters-d001", "meters-d002", "meters-d003", "meters-d004"], disk.Writes.Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_delta_that_could_not_be_stored_is_not_loaded_and_the_next_one_takes_its_place()
    {
        var disk = new CrashableGrainStorage();
        var storage = new MeterStorage(disk, Grain);
        await storage.LoadAsync();
        await StoreAsync(storage, Batch("edge-1", 1, consumers: 1));
        disk.FailWritesOf = "meters-d";
        await Assert.ThrowsAsync<IOException>(() => storage.AppendAsync(Batch("edge-1", 2, consumers: 1)));

        // The grain starts over from storage (as MeterGrain does after a failed store) and the edge resends.
        disk.FailWritesOf = null;
        var reloaded = new MeterStorage(disk, Grain);
        Assert.Single(await reloaded.LoadAsync());
        await reloaded.AppendAsync(Batch("edge-1", 2, consumers: 1));
        Assert.Equal([1L, 2L], (await new MeterStorage(disk, Grain).LoadAsync()).Select(d => d.Sequence));
    }
}
