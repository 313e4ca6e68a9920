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
        var (sync, store, _) = await StartSyncAsync(TimeSpan.FromMilliseconds(300));
        try
        {
            // Deactivating the grain drops its observers: the next write notifies nobody.
            await fixture.Cluster.GrainFactory.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
            var written = await WriteRouteAsync("/polled");

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

    [Fact]
    public async Task Edge_applies_a_write_from_the_change_sent_with_the_notice_without_asking_the_grain()
    {
        // No poll within the test: what the edge applies comes with the notices.
        var (sync, store, metrics) = await StartSyncAsync(TimeSpan.FromMinutes(10));
        try
        {
            var first = await WriteRouteAsync("/pushed-1");
            var second = await WriteRouteAsync("/pushed-2");

            Assert.True(await store.WaitForVersionAsync(second.Version, TimeSpan.FromSeconds(10), TimeProvider.System));
            Assert.Equal(second.Version - first.Version + 1, metrics.Pushed);
            Assert.Equal(1, metrics.FullSnapshots); // the table at start, and nothing pulled since
            Assert.NotNull(store.Current.Matcher.Match("GET", "any", "/pushed-1", new Microsoft.AspNetCore.Http.HeaderDictionary()));
            Assert.NotNull(store.Current.Matcher.Match("GET", "any", "/pushed-2", new Microsoft.AspNetCore.Http.HeaderDictionary()));
        }
        finally
        {
            await sync.StopAsync(CancellationToken.None);
        }
    }

    private async Task<RouteTableWriteResult> WriteRouteAsync(string path)
    {
        var table = fixture.Cluster.Client.GetGrain<IRouteTableGrain>(IRouteTableGrain.DefaultKey);
        var service = new ServiceEntity { Id = Guid.NewGuid(), Name = "svc" + Guid.NewGuid().ToString("N")[..8], Host = "h.internal" };
        return await table.Write(RouteTableWrite.Upsert(service, new RouteEntity { Id = Guid.NewGuid(), Paths = [path], ServiceId = service.Id }));
    }

    /// <summary>An edge's sync loop on the test cluster's client, started (it holds the current table when this returns).</summary>
    private async Task<(RouteTableSync Sync, RouteTableStore Store, RouteTableSyncMetrics Metrics)> StartSyncAsync(TimeSpan pollInterval)
    {
        var grains = fixture.Cluster.Client;
        var options = Options.Create(new EdgeOptions { Sync = new RouteTableSyncOptions { PollInterval = pollInterval } });
        var plugins = new PluginRegistry([]);
        var clients = new UpstreamClients();
        var store = new RouteTableStore();
        var metrics = new RouteTableSyncMetrics();
        var sync = new RouteTableSync(
            grains,
            store,
            StandaloneRouteTable.CreateBuilder(clients, plugins),
            new Turnpike.Edge.Upstreams.TargetHealthRegistry(),
            new DeclarativeConfigLoader(new DeclarativeConfig(TestSchemas.Create(plugins)), grains),
            new EdgeIdentity(options),
            options,
            TimeProvider.System,
            NullLogger<RouteTableSync>.Instance,
            metrics);
        await sync.StartAsync(CancellationToken.None);
        return (sync, store, metrics);
    }
}
