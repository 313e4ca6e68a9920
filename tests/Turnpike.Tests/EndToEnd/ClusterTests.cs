using System.Net;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>Two silo processes and two edge processes (Orleans clients of both) forming one cluster, and a real upstream.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    internal SiloNode Silo { get; private set; } = null!;

    internal SiloNode SecondSilo { get; private set; } = null!;

    internal EdgeNode EdgeA { get; private set; } = null!;

    internal EdgeNode EdgeB { get; private set; } = null!;

    internal UpstreamServer Upstream { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await UpstreamServer.StartAsync();
        Silo = await SiloNode.StartAsync();
        SecondSilo = await SiloNode.StartAsync(primary: Silo);
        var edges = await Task.WhenAll(EdgeNode.StartClientAsync([Silo, SecondSilo]), EdgeNode.StartClientAsync([SecondSilo, Silo]));
        (EdgeA, EdgeB) = (edges[0], edges[1]);
    }

    public async Task DisposeAsync()
    {
        if (EdgeA is not null)
        {
            await EdgeA.DisposeAsync();
        }

        if (EdgeB is not null)
        {
            await EdgeB.DisposeAsync();
        }

        if (SecondSilo is not null)
        {
            await SecondSilo.DisposeAsync();
        }

        if (Silo is not null)
        {
            await Silo.DisposeAsync();
        }

        if (Upstream is not null)
        {
            await Upstream.DisposeAsync();
        }

    }
}

public sealed class ClusterTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly string _name = "c-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Change_made_through_one_edge_is_routed_by_the_other()
    {
        Assert.Equal(201, (await fixture.EdgeA.Admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url })).Status);
        Assert.Equal(201, (await fixture.EdgeA.Admin.PostJsonAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } })).Status);
        using var response = await fixture.EdgeB.Proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(200, (await fixture.EdgeB.Admin.GetJsonAsync($"/services/{_name}")).Status);
    }

    [Fact]
    public async Task The_edge_that_answered_an_admin_write_already_routes_it()
    {
        // No polling: once the write is answered, the same edge serves it (its sync got the version from the grain).
        await fixture.EdgeA.Admin.CreateAsync("/services", new { name = _name, url = fixture.Upstream.Url });
        for (var i = 0; i < 5; i++)
        {
            using var created = await fixture.EdgeA.Admin.PostAsync($"/services/{_name}/routes", new FormUrlEncodedContent([KeyValuePair.Create("paths[]", $"/{_name}-{i}")]));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var written = long.Parse(created.Headers.GetValues("X-Turnpike-Config-Version").Single());
            Assert.True(await fixture.EdgeA.ConfigVersionAsync() >= written);
            using var response = await fixture.EdgeA.Proxy.GetAsync($"/{_name}-{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Every_edge_reports_the_version_it_serves_and_the_cluster_lists_them()
    {
        using var created = await fixture.EdgeB.Admin.PostAsync("/services", new FormUrlEncodedContent([KeyValuePair.Create("name", _name), KeyValuePair.Create("host", "h.internal")]));
        var written = long.Parse(created.Headers.GetValues("X-Turnpike-Config-Version").Single());
        foreach (var edge in new[] { fixture.EdgeA, fixture.EdgeB })
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (await edge.ConfigVersionAsync() < written && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.True(await edge.ConfigVersionAsync() >= written);
        }

        var (_, planes) = await fixture.EdgeA.Admin.GetJsonAsync("/clustering/data-planes");
        Assert.True(planes!["data"]!.AsArray().Count >= 2);
    }

    [Fact]
    public async Task The_cluster_lists_both_silos_as_active_with_their_load_and_the_one_holding_the_route_table()
    {
        var (status, silos) = await fixture.EdgeB.Admin.GetJsonAsync("/clustering/silos");
        Assert.Equal(200, status);
        Assert.Null(silos!["next"]);
        var data = silos["data"]!.AsArray().Select(s => s!.AsObject()).ToList();
        Assert.Equal(2, data.Count);
        foreach (var silo in new[] { fixture.Silo, fixture.SecondSilo })
        {
            var entry = Assert.Single(data, s => s["address"]!.GetValue<string>() == $"127.0.0.1:{silo.SiloPort}");
            Assert.Equal("active", entry["status"]!.GetValue<string>());
            Assert.Equal(silo.GatewayPort, entry["gateway_port"]!.GetValue<int>());
            Assert.StartsWith($"127.0.0.1:{silo.SiloPort}@", entry["id"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.InRange(entry["started_at"]!.GetValue<long>(), DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
            Assert.True(entry["activations"]!.GetValue<int>() >= 0);
            Assert.True(entry["memory_usage_bytes"]!.GetValue<long>() > 0);
        }

        // The edges keep the route table grain active, so exactly one silo holds it; each edge is a client of a silo.
        Assert.Single(data, s => s["holds_route_table"]!.GetValue<bool>());
        Assert.True(data.Sum(s => s["clients"]!.GetValue<int>()) >= 2);
    }

    [Fact]
    public async Task Edge_that_joins_later_serves_the_whole_table_from_the_start()
    {
        await fixture.EdgeA.Admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url });
        await fixture.EdgeA.Admin.PostJsonAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } });
        await using var late = await EdgeNode.StartClientAsync([fixture.SecondSilo]);
        using var response = await late.Proxy.GetAsync($"/{_name}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Edge_killed_and_started_again_serves_the_current_table()
    {
        await fixture.EdgeA.Admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url });
        await fixture.EdgeA.Admin.PostJsonAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } });
        var doomed = await EdgeNode.StartClientAsync([fixture.Silo]);
        doomed.Process.Kill();
        await doomed.DisposeAsync();
        await using var restarted = await EdgeNode.StartClientAsync([fixture.Silo]);
        using var response = await restarted.Proxy.GetAsync($"/{_name}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (_, status) = await restarted.Status.GetJsonAsync("/status");
        Assert.Equal(await fixture.EdgeA.ConfigVersionAsync(), status!["configuration_version"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_credential_created_and_revoked_through_one_edge_takes_effect_on_the_other()
    {
        Assert.Equal(201, (await fixture.EdgeA.Admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url })).Status);
        Assert.Equal(201, (await fixture.EdgeA.Admin.PostJsonAsync($"/services/{_name}/routes", new { name = _name, paths = new[] { $"/{_name}" } })).Status);
        Assert.Equal(201, (await fixture.EdgeA.Admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "key-auth" })).Status);
        Assert.Equal(201, (await fixture.EdgeA.Admin.PostJsonAsync("/consumers", new { username = _name })).Status);
        var path = $"/{_name}?apikey={_name}-key";
        using (var before = await fixture.EdgeB.Proxy.EventuallyAsync(path, r => r.StatusCode == HttpStatusCode.Unauthorized))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, before.StatusCode);
        }

        Assert.Equal(201, (await fixture.EdgeA.Admin.PostJsonAsync($"/consumers/{_name}/key-auth", new { key = $"{_name}-key" })).Status);
        using (var created = await fixture.EdgeB.Proxy.EventuallyAsync(path, r => r.StatusCode == HttpStatusCode.OK))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        using (var deleted = await fixture.EdgeA.Admin.DeleteAsync($"/consumers/{_name}/key-auth/{_name}-key"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var revoked = await fixture.EdgeB.Proxy.EventuallyAsync(path, r => r.StatusCode == HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
    }
}
