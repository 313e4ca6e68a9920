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
