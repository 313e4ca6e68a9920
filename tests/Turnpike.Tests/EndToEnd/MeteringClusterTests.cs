using System.Net;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>Meters from several edge processes add up exactly; a graceful stop flushes an edge's last batch.</summary>
public sealed class MeteringClusterTests(ThreeEdgeFixture fixture) : IClassFixture<ThreeEdgeFixture>
{
    private readonly string _name = "mc-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<string> ServiceAsync(int consumers)
    {
        var admin = fixture.Edges[0].Admin;
        Assert.Equal(201, (await admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url })).Status);
        Assert.Equal(201, (await admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "key-auth" })).Status);
        for (var i = 0; i < consumers; i++)
        {
            Assert.Equal(201, (await admin.PostJsonAsync("/consumers", new { username = $"{_name}-{i}" })).Status);
            Assert.Equal(201, (await admin.PostJsonAsync($"/consumers/{_name}-{i}/key-auth", new { key = $"{_name}-{i}-key" })).Status);
        }

        Assert.Equal(201, (await admin.PostJsonAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } })).Status);
        foreach (var edge in fixture.Edges)
        {
            using var ready = await edge.Proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.Unauthorized);
        }

        return $"/{_name}";
    }

    /// <summary>Requests per consumer username in the CSV export once it reaches <paramref name="expected"/> (or 20 s pass).</summary>
    private async Task<Dictionary<string, long>> ExportedAsync(EdgeNode edge, long expected)
    {
        var range = $"from={DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds()}&to={DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}";
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var records = Csv.Parse(await edge.Admin.GetStringAsync($"/billing/export?format=csv&service={_name}&{range}"));
            var header = records[0];
            var counts = records.Skip(1)
                .GroupBy(r => r[Array.IndexOf(header, "consumer_username")])
                .ToDictionary(g => g.Key, g => g.Sum(r => long.Parse(r[Array.IndexOf(header, "requests")])));
            if (counts.Values.Sum() >= expected || DateTime.UtcNow > deadline)
            {
                return counts;
            }

            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Requests_through_three_edges_are_exported_exactly_once_per_consumer_and_service()
    {
        var path = await ServiceAsync(consumers: 4);
        var sent = new long[4];
        await Task.WhenAll(Enumerable.Range(0, 12).Select(async worker =>
        {
            var edge = fixture.Edges[worker % 3];
            for (var i = 0; i < 50; i++)
            {
                var consumer = (worker + i) % 4;
                using var response = await edge.Proxy.GetAsync($"{path}?apikey={_name}-{consumer}-key");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Interlocked.Increment(ref sent[consumer]);
            }
        }));

        var exported = await ExportedAsync(fixture.Edges[2], sent.Sum());
        for (var consumer = 0; consumer < 4; consumer++)
        {
            Assert.Equal(sent[consumer], exported.GetValueOrDefault($"{_name}-{consumer}"));
        }

        // Still exact a few flush intervals later: nothing arrives twice. The anonymous bucket holds the three
        // readiness probes, which key-auth rejected.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var later = await ExportedAsync(fixture.Edges[0], sent.Sum() + 3);
        Assert.Equal(3, later.GetValueOrDefault(""));
        Assert.Equal(sent.Sum() + 3, later.Values.Sum());
    }

    [Fact]
    public async Task An_edge_stopped_gracefully_right_after_its_requests_delivers_every_one()
    {
        var path = await ServiceAsync(consumers: 1);
        var leaving = await EdgeNode.StartClientAsync([fixture.Silo]);
        using (var ready = await leaving.Proxy.EventuallyAsync($"{path}?apikey={_name}-0-key", r => r.StatusCode == HttpStatusCode.OK))
        {
        }

        for (var i = 0; i < 99; i++)
        {
            using var response = await leaving.Proxy.GetAsync($"{path}?apikey={_name}-0-key");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // SIGTERM at once: these requests are still in the edge's memory, not yet in a sealed batch.
        await leaving.Process.StopGracefullyAsync(TimeSpan.FromSeconds(30));
        await leaving.DisposeAsync();
        Assert.DoesNotContain(Directory.GetFiles(leaving.JournalDirectory), f => new FileInfo(f).Length > 0); // all acknowledged
        Assert.Equal(100, (await ExportedAsync(fixture.Edges[0], 100)).GetValueOrDefault($"{_name}-0"));
    }
}
