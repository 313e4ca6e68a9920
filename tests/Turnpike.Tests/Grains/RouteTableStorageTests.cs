using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Grains;

[Fast]
public sealed class RouteTableStorageTests
{
    private static readonly GrainId Grain = GrainId.Create("routetable", "default");

    [Fact]
    public async Task A_write_interrupted_after_its_header_is_completed_at_the_next_load()
    {
        var disk = new CrashableGrainStorage();
        var first = new RouteTableStorage(disk, Grain);
        await first.LoadAsync();
        var kept = new ServiceEntity { Id = Guid.NewGuid(), Name = "kept", Host = "h" };
        await first.SaveAsync(1, new RouteTableWriteRecord { Upserts = [kept] });

        var lost = new ServiceEntity { Id = Guid.NewGuid(), Name = "recovered", Host = "h" };
        disk.FailWritesOf = "routetable-p";
        await Assert.ThrowsAsync<IOException>(() => first.SaveAsync(2, new RouteTableWriteRecord { Upserts = [lost], Deletes = [new EntityRef(EntityKind.Service, kept.Id)] }));

        disk.FailWritesOf = null;
        var second = new RouteTableStorage(disk, Grain);
        var loaded = await second.LoadAsync();
        Assert.Equal(2, second.Version);
        Assert.Equal("recovered", Assert.IsType<ServiceEntity>(Assert.Single(loaded)).Name);
    }

    [Fact]
    public async Task A_write_stores_only_the_partitions_it_touches()
    {
        var disk = new CrashableGrainStorage();
        var storage = new RouteTableStorage(disk, Grain);
        await storage.LoadAsync();
        await storage.SaveAsync(1, new RouteTableWriteRecord { Upserts = [.. Enumerable.Range(0, 1000).Select(i => new ServiceEntity { Id = Guid.NewGuid(), Name = $"s{i}", Host = "h" })] });
        disk.ClearWrites();
        await storage.SaveAsync(2, new RouteTableWriteRecord { Upserts = [new ServiceEntity { Id = Guid.NewGuid(), Name = "one-more", Host = "h" }] });
        Assert.Equal(["routetable", "partition"], disk.Writes.Select(w => w.StartsWith("routetable-p", StringComparison.Ordinal) ? "partition" : w));
    }
}
