using System.Net;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd.Regions;

/// <summary>Three regions on PostgreSQL, two edges each, 40 ms between regions: one gateway for the operator.</summary>
[Collection(ThreeRegionCollection.Name)]
public sealed class ThreeRegionTests(ThreeRegionFixture fixture)
{
    private readonly string _name = "tr-" + Guid.NewGuid().ToString("N")[..8];

    private static string Range => $"from={DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds()}&to={DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}";

    private EdgeNode Edge(string region, int index = 0) => fixture.Regions[region].Edges[index];

    /// <summary>A key-auth service and its consumers, created through <paramref name="through"/>; served by every edge of every region.</summary>
    private async Task ServiceWithConsumersAsync(EdgeNode through, int consumers)
    {
        var admin = through.Admin;
        await admin.CreateAsync("/services", new { name = _name, url = fixture.Upstream.Url });
        await admin.CreateAsync($"/services/{_name}/plugins", new { name = "key-auth" });
        for (var i = 0; i < consumers; i++)
        {
            await admin.CreateAsync("/consumers", new { username = $"{_name}-{i}" });
            await admin.CreateAsync($"/consumers/{_name}-{i}/key-auth", new { key = $"{_name}-{i}-key" });
        }

        await admin.CreateAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } });
        foreach (var edge in fixture.AllEdges)
        {
            using var ready = await edge.Proxy.EventuallyAsync($"/{_name}?apikey={_name}-0-key", r => r.StatusCode == HttpStatusCode.OK);
        }
    }

    /// <summary>The export's requests per (region, consumer username), once its total reaches <paramref name="expected"/> (or 20 s pass).</summary>
    private async Task<Dictionary<(string Region, string Consumer), long>> ExportedByRegionAsync(EdgeNode edge, long expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var response = await edge.Admin.GetAsync($"/billing/export?format=csv&by=region&service={_name}&{Range}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("ap, eu, us", response.Headers.GetValues("X-Turnpike-Billing-Regions").Single());
            var records = Csv.Parse(await response.Content.ReadAsStringAsync());
            var header = records[0];
            var counts = records.Skip(1)
                .GroupBy(r => (r[Array.IndexOf(header, "region")], r[Array.IndexOf(header, "consumer_username")]))
                .ToDictionary(g => g.Key, g => g.Sum(r => long.Parse(r[Array.IndexOf(header, "requests")])));
            if (counts.Values.Sum() >= expected || DateTime.UtcNow > deadline)
            {
                return counts;
            }

            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Write_through_a_non_home_edge_is_read_back_at_once_there_and_served_by_every_edge_of_every_region()
    {
        var (status, _) = await Edge("ap", 1).Admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url });
        Assert.Equal(201, status);
        Assert.Equal(200, (await Edge("ap", 1).Admin.GetJsonAsync($"/services/{_name}")).Status);

        await Edge("ap", 1).Admin.CreateAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } });
        foreach (var edge in fixture.AllEdges)
        {
            using var served = await edge.Proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task Billing_export_through_any_region_equals_what_the_proxies_answered_per_consumer_and_region()
    {
        await ServiceWithConsumersAsync(Edge("eu"), consumers: 2);
        var answered = new Dictionary<(string Region, string Consumer), long>();
        var edgeIndex = 0;
        foreach (var region in ThreeRegionFixture.Names)
        {
            foreach (var edge in fixture.Regions[region].Edges)
            {
                for (var consumer = 0; consumer < 2; consumer++)
                {
                    // A different count per edge and consumer, so a row counted twice or in the wrong region shows.
                    for (var i = 0; i < 3 + edgeIndex + (4 * consumer); i++)
                    {
                        using var response = await edge.Proxy.GetAsync($"/{_name}?apikey={_name}-{consumer}-key");
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            var key = (region, $"{_name}-{consumer}");
                            answered[key] = answered.GetValueOrDefault(key) + 1;
                        }
                    }
                }

                edgeIndex++;
            }
        }

        // The readiness probes (one OK per edge for consumer 0) were answered too.
        foreach (var region in ThreeRegionFixture.Names)
        {
            answered[(region, $"{_name}-0")] += 2;
        }

        foreach (var through in new[] { Edge("ap"), Edge("us", 1) })
        {
            var exported = await ExportedByRegionAsync(through, answered.Values.Sum());
            Assert.Equal(answered.OrderBy(a => a.Key).ToList(), exported.Where(e => e.Key.Consumer.Length > 0).OrderBy(e => e.Key).ToList());
        }

        // Without by=region the regions are summed: one row per consumer and period.
        var (status, usage) = await Edge("eu", 1).Admin.GetJsonAsync($"/billing/usage?service={_name}&{Range}");
        Assert.Equal(200, status);
        Assert.Equal(["ap", "eu", "us"], usage!["regions"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Empty(usage["missing_regions"]!.AsArray());
        foreach (var consumer in new[] { $"{_name}-0", $"{_name}-1" })
        {
            var rows = usage["data"]!.AsArray().Where(r => r!["consumer"]?["username"]?.GetValue<string>() == consumer).ToList();
            Assert.Equal(answered.Where(a => a.Key.Consumer == consumer).Sum(a => a.Value), rows.Sum(r => r!["requests"]!.GetValue<long>()));
            Assert.All(rows, r => Assert.Null(r!["region"]));
        }
    }

    /// <summary>Waits until the region of <paramref name="edge"/> names <paramref name="home"/> as the home (a move reaches a region within its home check interval, 2 s).</summary>
    private static async Task<System.Text.Json.Nodes.JsonNode> HomeIsAsync(EdgeNode edge, string home)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var (status, regions) = await edge.Admin.GetJsonAsync("/regions");
            Assert.Equal(200, status);
            if (regions!["home"]!.GetValue<string>() == home || DateTime.UtcNow > deadline)
            {
                Assert.Equal(home, regions["home"]!.GetValue<string>());
                return regions;
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Moving_the_home_with_the_epoch_refuses_the_old_homes_late_writes_everywhere_and_the_old_home_follows_after_healing()
    {
        var (_, before) = await Edge("eu").Admin.GetJsonAsync("/regions");
        var oldHome = before!["home"]!.GetValue<string>();
        var newHome = oldHome == "eu" ? "ap" : "eu";
        var third = ThreeRegionFixture.Names.Single(n => n != oldHome && n != newHome);
        await Edge(oldHome).Admin.CreateAsync("/services", new { name = _name, url = fixture.Upstream.Url });
        foreach (var region in new[] { newHome, third })
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(20); (await Edge(region).Admin.GetJsonAsync($"/services/{_name}")).Status != 200;)
            {
                Assert.True(DateTime.UtcNow < deadline, $"region {region} did not get the service");
                await Task.Delay(50);
            }
        }

        fixture.Isolate(oldHome);
        try
        {
            // The home is lost: the operator makes another region the home, through one of its edges.
            var (moved, state) = await Edge(newHome, 1).Admin.PostJsonAsync("/regions/home", new { region = newHome });
            Assert.Equal(200, moved);
            Assert.Equal(newHome, state!["home"]!.GetValue<string>());
            Assert.Equal(before["epoch"]!.GetValue<long>() + 1, state["epoch"]!.GetValue<long>());
            await HomeIsAsync(Edge(third), newHome);

            // Writes through any reachable region go to the new home.
            await Edge(third, 1).Admin.CreateAsync($"/services/{_name}/routes", new { name = _name + "-new", paths = new[] { $"/{_name}-new" } });
            foreach (var edge in fixture.Regions[newHome].Edges.Concat(fixture.Regions[third].Edges))
            {
                using var served = await edge.Proxy.EventuallyAsync($"/{_name}-new", r => r.StatusCode == HttpStatusCode.OK);
            }

            // The old home, cut off, has not heard of the move: what it commits now is stamped with the old epoch, and no
            // other region can store it, so it is not acknowledged (503): nothing acknowledged is lost by the move.
            var (late, refused) = await Edge(oldHome).Admin.PostJsonAsync($"/services/{_name}/routes", new { name = _name + "-late", paths = new[] { $"/{_name}-late" } });
            Assert.Equal(503, late);
            Assert.Equal("write not confirmed", refused!["name"]!.GetValue<string>());
        }
        finally
        {
            fixture.Rejoin(oldHome);
        }

        // Healed, the old home takes the new epoch, refuses to commit, and replaces its table with the new home's.
        await HomeIsAsync(Edge(oldHome, 1), newHome);
        foreach (var edge in fixture.Regions[oldHome].Edges)
        {
            using var served = await edge.Proxy.EventuallyAsync($"/{_name}-new", r => r.StatusCode == HttpStatusCode.OK);
            using var gone = await edge.Proxy.EventuallyAsync($"/{_name}-late", r => r.StatusCode == HttpStatusCode.NotFound);
        }

        foreach (var edge in fixture.AllEdges)
        {
            using var late = await edge.Proxy.GetAsync($"/{_name}-late");
            Assert.Equal(HttpStatusCode.NotFound, late.StatusCode);
        }

        // Its edges' writes now go to the new home, and reach every region.
        await Edge(oldHome).Admin.CreateAsync($"/services/{_name}/routes", new { name = _name + "-after", paths = new[] { $"/{_name}-after" } });
        foreach (var edge in fixture.AllEdges)
        {
            using var served = await edge.Proxy.EventuallyAsync($"/{_name}-after", r => r.StatusCode == HttpStatusCode.OK);
        }

        var (_, regions) = await Edge(third).Admin.GetJsonAsync("/regions");
        Assert.All(regions!["data"]!.AsArray(), r => Assert.Equal(newHome, r!["home"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Kill_9_of_a_silo_in_one_region_leaves_the_other_regions_proxying_and_taking_writes()
    {
        var (_, regions) = await Edge("eu").Admin.GetJsonAsync("/regions");
        var home = regions!["home"]!.GetValue<string>();
        var victim = ThreeRegionFixture.Names.First(n => n != home);
        await Edge(home).Admin.CreateAsync("/services", new { name = _name, url = fixture.Upstream.Url });
        await Edge(home).Admin.CreateAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } });
        foreach (var edge in fixture.AllEdges)
        {
            using var served = await edge.Proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.OK);
        }

        fixture.Regions[victim].Silo.Process.Kill();
        try
        {
            // The other regions do not notice: every request proxied, writes committed and served.
            var others = ThreeRegionFixture.Names.Where(n => n != victim).SelectMany(n => fixture.Regions[n].Edges).ToList();
            foreach (var edge in others)
            {
                for (var i = 0; i < 10; i++)
                {
                    using var proxied = await edge.Proxy.GetAsync($"/{_name}");
                    Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
                }
            }

            var other = ThreeRegionFixture.Names.Single(n => n != victim && n != home);
            await Edge(other, 1).Admin.CreateAsync($"/services/{_name}/routes", new { name = _name + "-during", paths = new[] { $"/{_name}-during" } });
            foreach (var edge in others)
            {
                using var served = await edge.Proxy.EventuallyAsync($"/{_name}-during", r => r.StatusCode == HttpStatusCode.OK);
            }

            // The victim region's edges keep proxying with the table they hold.
            foreach (var edge in fixture.Regions[victim].Edges)
            {
                using var proxied = await edge.Proxy.GetAsync($"/{_name}");
                Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
            }
        }
        finally
        {
            await fixture.RestartSiloAsync(victim);
        }

        foreach (var edge in fixture.Regions[victim].Edges)
        {
            using var caughtUp = await edge.Proxy.EventuallyAsync($"/{_name}-during", r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        }
    }

    [Fact]
    public async Task Moving_the_home_through_an_edge_of_another_region_or_to_no_region_is_refused_with_400_naming_the_field()
    {
        var (status, body) = await Edge("ap").Admin.PostJsonAsync("/regions/home", new { region = "eu" });
        Assert.Equal(400, status);
        Assert.Equal("move the home through an edge of region 'eu': this edge is in region 'ap'", body!["fields"]!["region"]!.GetValue<string>());

        (status, body) = await Edge("ap").Admin.PostJsonAsync("/regions/home", new { region = "mars\r\n" });
        Assert.Equal(400, status);
        Assert.Equal("no region named 'mars??'", body!["fields"]!["region"]!.GetValue<string>());
    }

    [Fact]
    public async Task Billing_report_with_a_region_cut_off_is_refused_naming_it_or_with_partial_true_names_what_is_missing()
    {
        fixture.Isolate("ap");
        try
        {
            var (status, body) = await Edge("us").Admin.GetJsonAsync($"/billing/usage?{Range}");
            Assert.Equal(503, status);
            Assert.StartsWith("region 'ap' is unreachable (", body!["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.EndsWith("add partial=true for the regions that answer.", body["message"]!.GetValue<string>(), StringComparison.Ordinal);

            using (var export = await Edge("eu").Admin.GetAsync($"/billing/export?format=csv&{Range}"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, export.StatusCode);
            }

            (status, body) = await Edge("us").Admin.GetJsonAsync($"/billing/usage?partial=true&{Range}");
            Assert.Equal(200, status);
            Assert.Equal(["eu", "us"], body!["regions"]!.AsArray().Select(r => r!.GetValue<string>()));
            Assert.Equal("ap", body["missing_regions"]![0]!["region"]!.GetValue<string>());

            using var partial = await Edge("eu", 1).Admin.GetAsync($"/billing/export?format=jsonl&partial=true&{Range}");
            Assert.Equal(HttpStatusCode.OK, partial.StatusCode);
            Assert.Equal("ap", partial.Headers.GetValues("X-Turnpike-Billing-Missing-Regions").Single());
            Assert.Equal("eu, us", partial.Headers.GetValues("X-Turnpike-Billing-Regions").Single());

            // The cut-off region reports too: what it has, naming the two it cannot reach.
            (status, body) = await Edge("ap").Admin.GetJsonAsync($"/billing/usage?partial=true&{Range}");
            Assert.Equal(200, status);
            Assert.Equal(["eu", "us"], body!["missing_regions"]!.AsArray().Select(m => m!["region"]!.GetValue<string>()));
        }
        finally
        {
            fixture.Rejoin("ap");
        }

        Assert.Equal(200, (await Edge("us").Admin.GetJsonAsync($"/billing/usage?{Range}")).Status);
    }
}

/// <summary>The three-region tests share one set of processes and run one at a time: they cut regions off.</summary>
[CollectionDefinition(Name)]
public sealed class ThreeRegionCollection : ICollectionFixture<ThreeRegionFixture>
{
    public const string Name = "three-regions";
}
