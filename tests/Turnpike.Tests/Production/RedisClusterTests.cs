using System.Net;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Production;

/// <summary>Redis as the alternative clustering and storage provider: a silo and an edge on a private Redis server.</summary>
public sealed class RedisClusterTests
{
    [Fact]
    public async Task A_cluster_on_Redis_routes_and_keeps_its_table_across_a_restart_of_every_silo_and_edge()
    {
        await using var redis = await DatabaseServer.StartRedisAsync();
        await using var upstream = await UpstreamServer.StartAsync();
        var backend = ClusterBackend.Redis(redis);
        await using (var silo = await SiloNode.StartAsync(backend: backend))
        await using (var edge = await EdgeNode.StartClientAsync(backend))
        {
            Assert.Equal(201, (await edge.Admin.PostFormAsync("/services", ("name", "on-redis"), ("url", upstream.Url))).Status);
            Assert.Equal(201, (await edge.Admin.PostFormAsync("/services/on-redis/routes", ("name", "r"), ("paths[]", "/redis"))).Status);
            using var proxied = await edge.Proxy.EventuallyAsync("/redis/a", r => r.StatusCode == HttpStatusCode.OK);
            Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);

            // A graceful stop, so the silo leaves the membership table and the next one need not wait for it.
            await edge.Process.StopGracefullyAsync(TimeSpan.FromSeconds(30));
            await silo.Process.StopGracefullyAsync(TimeSpan.FromSeconds(30));
        }

        await using var newSilo = await SiloNode.StartAsync(backend: backend);
        await using var newEdge = await EdgeNode.StartClientAsync(backend);
        Assert.Equal(200, (await newEdge.Admin.GetJsonAsync("/routes/r")).Status);
        using var again = await newEdge.Proxy.GetAsync("/redis/b");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task A_silo_that_cannot_reach_Redis_exits_naming_the_setting()
    {
        var environment = new Dictionary<string, string>
        {
            ["Turnpike__Cluster__Clustering"] = "Redis",
            ["Turnpike__Cluster__Storage"] = "Redis",
            ["Turnpike__Cluster__Redis__ConnectionString"] = $"127.0.0.1:{FreePorts.Next()}",
        };
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloNode.StartAsync(backend: new ClusterBackend(environment)));
        Assert.Contains("Cannot use the Redis server at 127.0.0.1", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Turnpike:Cluster:Redis:ConnectionString", failure.Message, StringComparison.Ordinal);
    }
}
