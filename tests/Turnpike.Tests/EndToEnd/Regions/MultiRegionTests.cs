using System.Net;
using Turnpike.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Turnpike.Tests.EndToEnd.Regions;

/// <summary>Configuration across two regions joined by a link with a 100 ms round trip: writes through any region, partitions.</summary>
public sealed class MultiRegionTests(TwoRegionFixture fixture, ITestOutputHelper output) : IClassFixture<TwoRegionFixture>
{
    private readonly string _name = "r-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Write_through_a_non_home_edge_is_committed_by_home_read_back_at_once_and_served_in_every_region()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var created = await fixture.EuEdge.Admin.PostAsync("/services", new FormUrlEncodedContent([KeyValuePair.Create("name", _name), KeyValuePair.Create("url", fixture.Upstream.Url)]));
        var answered = clock.Elapsed;
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var version = long.Parse(created.Headers.GetValues("X-Turnpike-Config-Version").Single());

        // Read your writes: the edge that took the write answered once its own region had applied it.
        Assert.Equal(200, (await fixture.EuEdge.Admin.GetJsonAsync($"/services/{_name}")).Status);
        Assert.True(await fixture.EuEdge.ConfigVersionAsync() >= version);
        var (routeStatus, _) = await fixture.EuEdge.Admin.PostJsonAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } });
        Assert.Equal(201, routeStatus);
        using (var proxied = await fixture.EuEdge.Proxy.GetAsync($"/{_name}"))
        {
            Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        }

        // The home region committed it, and serves it; the version is the same number in both regions.
        Assert.Equal(200, (await fixture.UsEdge.Admin.GetJsonAsync($"/services/{_name}")).Status);
        using var atHome = await fixture.UsEdge.Proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(await fixture.UsEdge.ConfigVersionAsync(), await fixture.EuEdge.ConfigVersionAsync());

        // A figure, not a bound: the first write also opens the link's connection.
        output.WriteLine($"write through eu answered, applied in eu, in {answered.TotalMilliseconds:0} ms (link round trip {2 * TwoRegionFixture.OneWay.TotalMilliseconds:0} ms)");
    }

    [Fact]
    public async Task Region_cut_off_from_home_keeps_proxying_refuses_writes_with_503_naming_home_serves_a_restarted_edge_and_catches_up_after_healing()
    {
        await fixture.UsEdge.Admin.CreateAsync("/services", new { name = _name, url = fixture.Upstream.Url });
        await fixture.UsEdge.Admin.CreateAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } });
        using (await fixture.EuEdge.Proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.OK))
        {
        }

        fixture.EuToUs.Partition();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                using var proxied = await fixture.EuEdge.Proxy.GetAsync($"/{_name}");
                Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
            }

            var (status, body) = await fixture.EuEdge.Admin.PostJsonAsync("/services", new { name = _name + "-x", url = fixture.Upstream.Url });
            Assert.Equal(503, status);
            Assert.Contains("home region 'us' is unreachable", body!["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(200, (await fixture.EuEdge.Admin.GetJsonAsync($"/services/{_name}")).Status);

            // An edge started during the partition serves the table its region holds.
            await fixture.RestartEuEdgeAsync();
            using (var afterRestart = await fixture.EuEdge.Proxy.GetAsync($"/{_name}"))
            {
                Assert.Equal(HttpStatusCode.OK, afterRestart.StatusCode);
            }

            // Home goes on committing writes meanwhile, but with no other region to store them it does not acknowledge
            // them: 503 (were home lost now, they would be lost with it). Healed, eu pulls what home committed.
            var (late, refused) = await fixture.UsEdge.Admin.PostJsonAsync($"/services/{_name}/routes", new { name = _name + "-late", paths = new[] { $"/{_name}-late" } });
            Assert.Equal(503, late);
            Assert.Equal("write not confirmed", refused!["name"]!.GetValue<string>());
            Assert.Contains("read it back", refused["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        finally
        {
            fixture.EuToUs.Heal();
        }

        using var caughtUp = await fixture.EuEdge.Proxy.EventuallyAsync($"/{_name}-late", r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, caughtUp.StatusCode);
        Assert.Equal(201, (await fixture.EuEdge.Admin.PostJsonAsync("/services", new { name = _name + "-y", url = fixture.Upstream.Url })).Status);
    }
}
