using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using Turnpike.RouteTable;
using Xunit;

namespace Turnpike.Tests.Grains;

public sealed class RouteTableStorageTests
{
    private static readonly GrainId Grain = GrainId.Create("routetable", "default");

    [Fact]
    public async Task A_write_interrupted_after_its_header_is_completed_at_the_next_load()
    {
        var disk = new CrashingStorage();
        var first = new RouteTableStorage(disk, Grain);
        await first.LoadAsync();
        var kept = new ServiceEntity { Id = Guid.NewGuid(), Name = "kept", Host = "h" };
        await first.SaveAsync(1, new RouteTableWriteRecord { Upserts = [kept] });

        var lost = new ServiceEntity { Id = Guid.NewGuid(), Name = "recovered", Host = "h" };
        disk.FailPartitionWrites = true;
        await Assert.ThrowsAsync<IOException>(() => first.SaveAsync(2, new RouteTableWriteRecord { Upserts = [lost], Deletes = [new EntityRef(EntityKind.Service, kept.Id)] }));

        disk.FailPartitionWrites = false;
        var second = new RouteTableStorage(disk, Grain);
        var loaded = await second.LoadAsync();
        Assert.Equal(2, second.Version);
        Assert.Equal("recovered", Assert.IsType<ServiceEntity>(Assert.Single(loaded)).Name);
    }

    [Fact]
    public async Task A_write_stores_only_the_partitions_it_touches()
    {
        var disk = new CrashingStorage();
        var storage = new RouteTableStorage(disk, Grain);
        await storage.LoadAsync();
        await storage.SaveAsync(1, new RouteTableWriteRecord { Upserts = [.. Enumerable.Range(0, 1000).Select(i => new ServiceEntity { Id = Guid.NewGuid(), Name = $"s{i}", Host = "h" })] });
        disk.Writes.Clear();
        await storage.SaveAsync(2, new RouteTableWriteRecord { Upserts = [new ServiceEntity { Id = Guid.NewGuid(), Name = "one-more", Host = "h" }] });
        Assert.Equal(["routetable", "partition"], disk.Writes.Select(w => w.StartsWith("routetable-p", StringComparison.Ordinal) ? "partition" : w));
    }

    /// <summary>Keeps states in memory as a storage provider would, and can fail partition writes to stand for a crash.</summary>
    private sealed class CrashingStorage : IGrainStorage
    {
        private readonly Dictionary<string, object> _states = [];

        public bool FailPartitionWrites { get; set; }

        public List<string> Writes { get; } = [];

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (_states.TryGetValue(stateName, out var state))
            {
                grainState.State = (T)state;
                grainState.RecordExists = true;
            }

            return Task.CompletedTask;
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (FailPartitionWrites && stateName.StartsWith("routetable-p", StringComparison.Ordinal))
            {
                throw new IOException("storage went away");
            }

            Writes.Add(stateName);
            _states[stateName] = grainState.State!;
            return Task.CompletedTask;
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            _states.Remove(stateName);
            return Task.CompletedTask;
        }
    }
}
