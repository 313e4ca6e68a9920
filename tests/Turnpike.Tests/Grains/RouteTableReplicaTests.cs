using Orleans;
using Orleans.Runtime;
using Turnpike.RouteTable;
using Xunit;

namespace Turnpike.Tests.Grains;

/// <summary>A region's route table following its home's: the changes applied as the home made them, at the home's versions.</summary>
[Collection(RouteTableClusterCollection.Name)]
public sealed class RouteTableReplicaTests(RouteTableClusterFixture fixture)
{
    private readonly IRouteTableGrain _home = fixture.Cluster.GrainFactory.GetGrain<IRouteTableGrain>("home-" + Guid.NewGuid());
    private readonly IRouteTableGrain _replica = fixture.Cluster.GrainFactory.GetGrain<IRouteTableGrain>("replica-" + Guid.NewGuid());

    private static ServiceEntity Service(string name) => new() { Id = Guid.NewGuid(), Name = name, Host = name + ".internal" };

    private async Task<long> FollowAsync(long from) => await _replica.ApplyReplica(from, await _home.GetChangesSince(from));

    [Fact]
    public async Task A_replica_holds_the_homes_entities_at_the_homes_version_and_keeps_them_after_a_reload()
    {
        var a = (await _home.Write(RouteTableWrite.Upsert(Service("a")))).Stored[0];
        await _home.Write(RouteTableWrite.Upsert(Service("b")));
        Assert.Equal(2, await FollowAsync(0));

        await _home.Write(RouteTableWrite.Delete(new EntityRef(EntityKind.Service, a.Id)));
        var c = (await _home.Write(RouteTableWrite.Upsert(Service("c")))).Stored[0];
        Assert.Equal(4, await FollowAsync(2));

        await fixture.Cluster.GrainFactory.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.Equal(4, await _replica.GetVersion());
        Assert.Null(await _replica.Find(EntityKind.Service, "a"));
        Assert.Equal(c, await _replica.Find(EntityKind.Service, "c")); // timestamps as the home stamped them
        Assert.NotNull(await _replica.Find(EntityKind.Service, "b"));
    }

    [Fact]
    public async Task Changes_from_a_version_the_replica_has_left_are_ignored_and_its_version_returned()
    {
        await _home.Write(RouteTableWrite.Upsert(Service("a")));
        Assert.Equal(1, await FollowAsync(0));
        await _home.Write(RouteTableWrite.Upsert(Service("late")));

        // Another silo of the region pulled from 0 and comes second: told the version, it asks again from there.
        Assert.Equal(1, await _replica.ApplyReplica(0, await _home.GetChangesSince(0)));
        Assert.Null(await _replica.Find(EntityKind.Service, "late"));
        Assert.Equal(2, await FollowAsync(1));
    }

    [Fact]
    public async Task A_whole_table_replaces_what_the_replica_held()
    {
        await _home.Write(RouteTableWrite.Upsert(Service("kept")));
        Assert.Equal(1, await FollowAsync(0));
        var other = fixture.Cluster.GrainFactory.GetGrain<IRouteTableGrain>("other-home-" + Guid.NewGuid());
        await other.Write(RouteTableWrite.Upsert(Service("x")));
        await other.Write(RouteTableWrite.Upsert(Service("y")));

        // A home whose store was replaced: the region gets its whole table, whatever version it held.
        var whole = await other.GetChangesSince(-1);
        Assert.True(whole.IsFullSnapshot);
        Assert.Equal(2, await _replica.ApplyReplica(1, whole));

        Assert.Null(await _replica.Find(EntityKind.Service, "kept"));
        Assert.NotNull(await _replica.Find(EntityKind.Service, "y"));
        Assert.True((await _replica.GetChangesSince(0)).IsFullSnapshot); // its own edges, behind, reload the whole table
    }
}
