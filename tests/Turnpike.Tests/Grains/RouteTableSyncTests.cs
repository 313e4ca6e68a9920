using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;
using Turnpike.Edge.Admin.Declarative;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Hosting;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.RouteTable;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Grains;

[Collection(RouteTableClusterCollection.Name)]
public sealed class RouteTableSyncTests(RouteTableClusterFixture fixture)
{
    [Fact]
    public async Task Edge_that_missed_a_notification_converges_by_its_versioned_poll()
    {
        var grains = fixture.Cluster.Client;
        var options = Options.Create(new EdgeOptions { Sync = new RouteTableSyncOptions { PollInterval = TimeSpan.FromMilliseconds(300) } });
        var plugins = new PluginRegistry([]);
        using var clients = new UpstreamClients();
        var store = new RouteTableStore();
        var health = new Turnpike.Edge.Upstreams.TargetHealthRegistry();
        var sync = new RouteTableSync(
            grains,
            store,
            new RouteTableSnapshotBuilder(
                clients,
                plugins,
                health,
                new Turnpike.Edge.Upstreams.TargetResolver(Microsoft.Extensions.Options.Options.Create(new Turnpike.Edge.Upstreams.DnsOptions()), TimeProvider.System, NullLogger<Turnpike.Edge.Upstreams.TargetResolver>.Instance),
                new Turnpike.Edge.Upstreams.UpstreamBalancers(),
                NullLogger<RouteTableSnapshotBuilder>.Instance),
            health,
            new DeclarativeConfigLoader(new DeclarativeConfig(TestSchemas.Create(plugins)), grains),
            new EdgeIdentity(options),
            options,
            TimeProvider.System,
            NullLogger<RouteTableSync>.Instance,
            new RouteTableSyncMetrics());
        await sync.StartAsync(CancellationToken.None);
        try
        {
            // Deactivating the grain drops its observers: the next write notifies nobody.
            await fixture.Cluster.GrainFactory.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
            var table = grains.GetGrain<IRouteTableGrain>(IRouteTableGrain.DefaultKey);
            var service = new ServiceEntity { Id = Guid.NewGuid(), Name = "polled", Host = "h.internal" };
            var written = await table.Write(RouteTableWrite.Upsert(service, new RouteEntity { Id = Guid.NewGuid(), Paths = ["/polled"], ServiceId = service.Id }));

            // No notification comes: the edge's poll finds the version (the store signals each table it publishes).
            Assert.True(await store.WaitForVersionAsync(written.Version, TimeSpan.FromSeconds(10), TimeProvider.System));
            Assert.Equal(written.Version, store.Current.Version);
            Assert.NotNull(store.Current.Matcher.Match("GET", "any", "/polled", new Microsoft.AspNetCore.Http.HeaderDictionary()));
        }
        finally
        {
            await sync.StopAsync(CancellationToken.None);
        }
    }
}
