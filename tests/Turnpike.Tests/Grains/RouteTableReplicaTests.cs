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

    [Fact]
    public async Task After_the_home_moved_changes_stamped_by_the_old_home_are_refused()
    {
        await _home.Write(RouteTableWrite.Upsert(Service("before")));
        Assert.Equal(1, await FollowAsync(0));
        await _home.Write(RouteTableWrite.Upsert(Service("late")));
        var late = await _home.GetReplicaChanges(1, 0);
        Assert.Equal(0, late.Epoch);

        // The region heard that the home moved (epoch 1): the old home's late change is not applied.
        await _replica.AdoptHome(1, "eu");
        Assert.Equal(1, await _replica.ApplyReplica(1, late));
        Assert.Null(await _replica.Find(EntityKind.Service, "late"));
        Assert.Equal(new HomeState { Epoch = 1, Home = "eu", Version = 1, TableEpoch = 0 }, await _replica.GetHome());
    }

    [Fact]
    public async Task An_old_home_that_hears_of_the_move_refuses_writes_with_503_naming_the_new_home()
    {
        await _home.Write(RouteTableWrite.Upsert(Service("a")));

        await _home.AdoptHome(1, "eu");
        var refused = await _home.Write(RouteTableWrite.Upsert(Service("b")));

        Assert.Equal(503, refused.Error!.HttpStatus);
        Assert.Equal("Region 'default' does not take writes: the home region is 'eu' (epoch 1)", refused.Error.Message);
        Assert.Equal(1, await _home.GetVersion());
        Assert.Equal(1, (await _home.AdoptHome(0, "us")).Epoch); // an older epoch changes nothing
    }

    [Fact]
    public async Task A_new_home_sends_its_whole_table_to_a_region_holding_an_old_homes_writes_and_a_delta_to_one_behind()
    {
        await _home.AdoptHome(1, "old");
        await _home.AdoptHome(1, "old");
        var moved = await _home.MoveHome("default"); // this grain's region in the test cluster
        Assert.Equal((2L, "default", 0L), (moved.Epoch, moved.Home, moved.EpochStart));
        await _home.Write(RouteTableWrite.Upsert(Service("new")));

        // A region whose epoch-1 table went beyond version 0: it may hold the old home's writes, so the whole table.
        var whole = await _home.GetReplicaChanges(3, 1);
        Assert.True(whole.IsFullSnapshot);
        Assert.Equal(2, whole.Epoch);

        // At or before where the epoch began, its table is a prefix of this one: the changes since.
        var delta = await _home.GetReplicaChanges(0, 1);
        Assert.False(delta.IsFullSnapshot);
        Assert.Single(delta.Upserts);

        // The replica takes the new home's epoch first, then its changes; its table is then of epoch 2.
        await _replica.AdoptHome(2, "default");
        Assert.Equal(1, await _replica.ApplyReplica(0, delta));
        Assert.Equal(2, (await _replica.GetHome()).TableEpoch);
    }

    [Fact]
    public async Task A_held_replica_pull_is_answered_with_the_write_as_it_commits_not_when_its_wait_ends()
    {
        await _home.Write(RouteTableWrite.Upsert(Service("first")));

        // Held for up to 30 s (the grain holds at most MaxReplicaWait, 10 s): without a signal on commit it would come
        // back at version 1 with nothing in it.
        var held = _home.WaitForReplicaChanges(1, 0, 0, TimeSpan.FromSeconds(30));
        await _home.Write(RouteTableWrite.Upsert(Service("second")));

        var delta = await held.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(2, delta.Version);
        Assert.Equal("second", Assert.IsType<ServiceEntity>(Assert.Single(delta.Upserts)).Name);
    }

    [Fact]
    public async Task A_held_replica_pull_is_answered_when_the_home_moves_and_at_once_when_the_asker_is_behind()
    {
        await _home.Write(RouteTableWrite.Upsert(Service("a")));
        Assert.Equal(1, (await _home.WaitForReplicaChanges(0, 0, 0, TimeSpan.FromSeconds(30)).WaitAsync(TimeSpan.FromSeconds(5))).Version);

        var held = _home.WaitForReplicaChanges(1, 0, 0, TimeSpan.FromSeconds(30));
        await _home.AdoptHome(1, "eu");
        var delta = await held.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((1L, 1L), (delta.Version, delta.Epoch)); // the asker learns of the new epoch and asks the new home
    }

    [Fact]
    public async Task A_replica_pull_with_nothing_new_is_answered_with_the_same_version_when_its_wait_ends()
    {
        await _home.Write(RouteTableWrite.Upsert(Service("a")));
        var delta = await _home.WaitForReplicaChanges(1, 0, 0, TimeSpan.FromMilliseconds(100)).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, delta.Version);
        Assert.False(delta.IsFullSnapshot);
        Assert.Empty(delta.Upserts);
    }

    [Fact]
    public async Task A_home_write_counts_as_held_elsewhere_only_once_another_region_has_stored_its_version()
    {
        await _home.Write(RouteTableWrite.Upsert(Service("a")));
        await _home.Write(RouteTableWrite.Upsert(Service("b")));

        var waiting = _home.WaitForReplicated(2, TimeSpan.FromSeconds(30));
        await _home.ConfirmReplica("eu", 1, 0); // eu has stored version 1 only
        await _home.ConfirmReplica("ap", 2, 1); // a table of another epoch holds other writes
        Assert.False(waiting.IsCompleted);

        await _home.ConfirmReplica("eu", 2, 0);
        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(await _home.WaitForReplicated(1, TimeSpan.Zero));
    }

    [Fact]
    public async Task A_home_write_no_other_region_stores_is_not_counted_as_held_when_the_wait_ends()
    {
        await _home.Write(RouteTableWrite.Upsert(Service("a")));
        await _home.ConfirmReplica("eu", 0, 0);
        Assert.False(await _home.WaitForReplicated(1, TimeSpan.FromMilliseconds(100)).WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
