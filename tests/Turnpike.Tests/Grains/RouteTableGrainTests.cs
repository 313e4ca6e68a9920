using Orleans;
using Orleans.Runtime;
using Turnpike.RouteTable;
using Xunit;

namespace Turnpike.Tests.Grains;

[Collection(RouteTableClusterCollection.Name)]
public sealed class RouteTableGrainTests(RouteTableClusterFixture fixture)
{
    // Each test works on its own table, so tests do not see each other's versions.
    private readonly IRouteTableGrain _table = fixture.Cluster.GrainFactory.GetGrain<IRouteTableGrain>(Guid.NewGuid().ToString());

    private static ServiceEntity Service(string name) => new() { Id = Guid.NewGuid(), Name = name, Host = name + ".internal" };

    private static RouteEntity Route(string name, Guid serviceId) => new() { Id = Guid.NewGuid(), Name = name, Paths = ["/" + name], ServiceId = serviceId };

    [Fact]
    public async Task Every_successful_write_gets_the_next_version_and_failed_ones_none()
    {
        var first = await _table.Write(RouteTableWrite.Upsert(Service("a")));
        var second = await _table.Write(RouteTableWrite.Upsert(Service("b")));
        var failed = await _table.Write(RouteTableWrite.Upsert(Service("a")));
        Assert.Equal((1, 2), (first.Version, second.Version));
        Assert.False(failed.Succeeded);
        Assert.Equal(2, failed.Version);
    }

    [Fact]
    public async Task An_edge_reading_while_a_write_is_being_stored_never_gets_the_new_version_without_its_changes()
    {
        var key = "slow-" + Guid.NewGuid();
        var table = fixture.Cluster.GrainFactory.GetGrain<IRouteTableGrain>(key);
        using var storing = SlowWritesStorage.Hold(key);
        var write = table.Write(RouteTableWrite.Upsert(Service("in-flight")));
        await storing.Started.WaitAsync(TimeSpan.FromSeconds(30)); // the write has reached storage and waits there
        var during = await table.GetChangesSince(0);
        storing.Release();
        await write;
        var after = await table.GetChangesSince(during.Version);

        Assert.False(write.IsFaulted);
        Assert.Equal(1, after.Version);
        var seen = during.Upserts.Concat(after.Upserts).OfType<ServiceEntity>();
        Assert.Contains(seen, s => s.Name == "in-flight");
    }

    [Fact]
    public async Task A_write_sent_again_because_its_answer_was_lost_is_applied_once_even_after_a_reload()
    {
        var write = RouteTableWrite.Upsert(Service("once")) with { WriteId = Guid.NewGuid() };
        var first = await _table.Write(write);
        var again = await _table.Write(write);
        Assert.True(again.Succeeded, again.Error?.Message); // not "name exists", which the client never caused
        Assert.Equal(first.Version, again.Version);
        Assert.Equal("once", Assert.IsType<ServiceEntity>(Assert.Single(again.Stored)).Name);

        // The grain's silo died after storing the write: a new activation knows it from storage.
        await fixture.Cluster.GrainFactory.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var afterReload = await _table.Write(write);
        Assert.Equal(first.Version, afterReload.Version);
        Assert.Single((await _table.List(new EntityQuery { Kind = EntityKind.Service })).Items);
    }

    [Fact]
    public async Task A_table_whose_first_storage_reads_fail_activates_on_a_retry_and_answers_the_calls_queued_behind_it()
    {
        var key = Guid.NewGuid().ToString();
        SlowWritesStorage.FailReads(key, 2);
        var table = fixture.Cluster.GrainFactory.GetGrain<IRouteTableGrain>(key);

        var calls = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => table.GetChangesSince(-1)));

        Assert.All(calls, delta => Assert.True(delta.IsFullSnapshot));
        Assert.Equal(1, (await table.Write(RouteTableWrite.Upsert(new ServiceEntity { Id = Guid.NewGuid(), Name = "after-retry", Host = "h" }))).Version);
    }

    [Fact]
    public async Task Duplicate_name_is_refused_with_409_and_the_stored_entity_is_unchanged()
    {
        var original = Service("billing");
        await _table.Write(RouteTableWrite.Upsert(original));
        var result = await _table.Write(RouteTableWrite.Upsert(Service("billing") with { Host = "other.internal" }));
        Assert.Equal((AdminError.UniqueViolationCode, 409), (result.Error!.Code, result.Error.HttpStatus));
        var stored = Assert.IsType<ServiceEntity>(await _table.Find(EntityKind.Service, "billing"));
        Assert.Equal(original.Id, stored.Id);
        Assert.Equal("billing.internal", stored.Host);
    }

    [Fact]
    public async Task Route_naming_a_missing_service_is_refused_with_a_foreign_key_violation()
    {
        var result = await _table.Write(RouteTableWrite.Upsert(Route("r", Guid.NewGuid())));
        Assert.Equal(AdminError.ForeignKeyViolationCode, result.Error!.Code);
        Assert.Null(await _table.Find(EntityKind.Route, "r"));
    }

    [Fact]
    public async Task Deleting_a_service_that_routes_use_is_refused_and_deleting_a_route_takes_its_plugins()
    {
        var service = Service("s");
        var route = Route("r", service.Id);
        var plugin = new PluginEntity { Id = Guid.NewGuid(), Name = "correlation-id", RouteId = route.Id };
        await _table.Write(RouteTableWrite.Upsert(service, route, plugin));

        var refused = await _table.Write(RouteTableWrite.Delete(new EntityRef(EntityKind.Service, service.Id)));
        Assert.Equal("an existing 'routes' entity references this 'services' entity", refused.Error!.Message);
        Assert.NotNull(await _table.Find(EntityKind.Service, "s"));

        var deleted = await _table.Write(RouteTableWrite.Delete(new EntityRef(EntityKind.Route, route.Id)));
        Assert.True(deleted.Succeeded);
        Assert.Null(await _table.Find(EntityKind.Plugin, plugin.Id.ToString()));
    }

    [Fact]
    public async Task Insert_only_write_refuses_an_existing_id()
    {
        var service = Service("x");
        await _table.Write(RouteTableWrite.Upsert(service));
        var result = await _table.Write(new RouteTableWrite { Upserts = [service with { Name = "y" }], InsertOnly = true });
        Assert.Equal(AdminError.PrimaryKeyViolationCode, result.Error!.Code);
    }

    [Fact]
    public async Task Replace_all_is_atomic_an_invalid_table_changes_nothing()
    {
        var kept = Service("kept");
        await _table.Write(RouteTableWrite.Upsert(kept));
        var bad = new RouteTableWrite { ReplaceAll = true, Upserts = [Service("new"), Route("r", Guid.NewGuid())] };
        Assert.False((await _table.Write(bad)).Succeeded);
        Assert.NotNull(await _table.Find(EntityKind.Service, "kept"));
        Assert.Null(await _table.Find(EntityKind.Service, "new"));

        var good = await _table.Write(new RouteTableWrite { ReplaceAll = true, Upserts = [Service("new")] });
        Assert.True(good.Succeeded);
        Assert.Null(await _table.Find(EntityKind.Service, "kept"));
    }

    [Fact]
    public async Task Edge_behind_by_a_few_versions_gets_only_the_net_changes()
    {
        var a = Service("a");
        await _table.Write(RouteTableWrite.Upsert(a));
        var b = Service("b");
        await _table.Write(RouteTableWrite.Upsert(b));
        await _table.Write(RouteTableWrite.Upsert(a with { Host = "moved.internal" }));
        await _table.Write(RouteTableWrite.Delete(new EntityRef(EntityKind.Service, b.Id)));

        var delta = await _table.GetChangesSince(1);
        Assert.False(delta.IsFullSnapshot);
        Assert.Equal(4, delta.Version);
        Assert.Equal("moved.internal", Assert.IsType<ServiceEntity>(Assert.Single(delta.Upserts)).Host);
        Assert.Equal(b.Id, Assert.Single(delta.Deletes).Id);
        Assert.Empty((await _table.GetChangesSince(4)).Upserts);
    }

    [Fact]
    public async Task Edge_further_behind_than_the_change_log_gets_the_whole_table()
    {
        for (var i = 0; i < 60; i++)
        {
            await _table.Write(RouteTableWrite.Upsert(Service("s" + i)));
        }

        var delta = await _table.GetChangesSince(1);
        Assert.True(delta.IsFullSnapshot);
        Assert.Equal(60, delta.Upserts.Length);
    }

    [Fact]
    public async Task Listing_pages_by_id_and_filters_by_tags()
    {
        for (var i = 0; i < 5; i++)
        {
            await _table.Write(RouteTableWrite.Upsert(Service("s" + i) with { Tags = i % 2 == 0 ? ["even", "all"] : ["odd", "all"] }));
        }

        var first = await _table.List(new EntityQuery { Kind = EntityKind.Service, Size = 3 });
        var second = await _table.List(new EntityQuery { Kind = EntityKind.Service, Size = 3, After = first.NextAfter });
        Assert.Equal(3, first.Items.Length);
        Assert.Equal(2, second.Items.Length);
        Assert.Null(second.NextAfter);
        Assert.Equal(5, first.Items.Concat(second.Items).Select(s => s.Id).Distinct().Count());

        var even = await _table.List(new EntityQuery { Kind = EntityKind.Service, Tags = ["even", "all"] });
        Assert.Equal(3, even.Items.Length);
        var either = await _table.List(new EntityQuery { Kind = EntityKind.Service, Tags = ["odd", "none"], AllTags = false });
        Assert.Equal(2, either.Items.Length);
    }

    [Fact]
    public async Task Table_survives_deactivation_of_its_grain()
    {
        await _table.Write(RouteTableWrite.Upsert(Service("durable")));
        await fixture.Cluster.GrainFactory.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero); // returns once the collected activations have deactivated
        Assert.NotNull(await _table.Find(EntityKind.Service, "durable"));
        var delta = await _table.GetChangesSince(0);
        Assert.Equal(1, delta.Version);
        Assert.True(delta.IsFullSnapshot); // the change log is memory only; a reactivated grain sends the whole table
    }

    [Fact]
    public async Task Subscribed_edges_are_notified_of_each_new_version_and_listed()
    {
        var observer = new RecordingObserver();
        var reference = fixture.Cluster.Client.CreateObjectReference<IRouteTableObserver>(observer);
        await _table.Subscribe(reference, new EdgeReport { EdgeId = "edge-1", Region = "eu", AppliedVersion = 0 });
        var result = await _table.Write(RouteTableWrite.Upsert(Service("n")));
        Assert.Equal(result.Version, await observer.Versions.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        var edge = Assert.Single(await _table.GetEdges());
        Assert.Equal(("edge-1", "eu"), (edge.EdgeId, edge.Region));
    }

    private sealed class RecordingObserver : IRouteTableObserver
    {
        public TaskCompletionSource<long> Versions { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task OnRouteTableChanged(long version)
        {
            Versions.TrySetResult(version);
            return Task.CompletedTask;
        }

        public Task OnRouteTableDelta(long fromVersion, RouteTableDelta delta) => OnRouteTableChanged(delta.Version);
    }
}
