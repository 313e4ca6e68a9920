using System.Diagnostics;
using System.Net;
using Turnpike.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Turnpike.Tests.Production;

/// <summary>Meters through silo and edge crashes, on PostgreSQL: nothing lost, nothing counted twice.</summary>
[Collection(PostgresCollection.Name)]
public sealed class MeteringFailoverTests(PostgresFixture fixture, ITestOutputHelper output)
{
    /// <summary>Waits out a flush interval (so the last requests are in a sealed batch), then until nothing is pending.</summary>
    private static async Task WaitUntilDeliveredAsync(EdgeNode edge)
    {
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await Poll.UntilAsync(async () => await edge.MetricAsync("turnpike_meter_batches_pending") == 0, TimeSpan.FromSeconds(60), "every meter batch acknowledged", everyMs: 250);
    }

    private static async Task<long> ExportedRequestsAsync(EdgeNode edge, string service)
    {
        var range = $"from={DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds()}&to={DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}";
        var records = Csv.Parse(await edge.Admin.GetStringAsync($"/billing/export?format=csv&service={service}&{range}"));
        var column = Array.IndexOf(records[0], "requests");
        return records.Skip(1).Sum(r => long.Parse(r[column]));
    }

    private async Task<string> ServiceAsync(EdgeNode edge)
    {
        var name = "m-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(201, (await edge.Admin.PostJsonAsync("/services", new { name, url = fixture.Upstream.Url })).Status);
        Assert.Equal(201, (await edge.Admin.PostJsonAsync($"/services/{name}/routes", new { paths = new[] { $"/{name}" } })).Status);
        using var ready = await edge.Proxy.EventuallyAsync($"/{name}", r => r.StatusCode == HttpStatusCode.OK);
        return name;
    }

    [Fact]
    public async Task A_silo_killed_while_batches_flow_loses_no_request_and_counts_none_twice()
    {
        var backend = ClusterBackend.Postgres(fixture.Postgres);
        var clock = Stopwatch.StartNew();
        var doomed = await SiloNode.StartAsync(backend: backend);
        await using var edgeA = await EdgeNode.StartClientAsync(backend);
        var service = await ServiceAsync(edgeA);
        await using var siloB = await SiloNode.StartAsync(backend: backend);
        await using var siloC = await SiloNode.StartAsync(backend: backend);
        await using var edgeB = await EdgeNode.StartClientAsync(backend);
        using (var ready = await edgeB.Proxy.EventuallyAsync($"/{service}", r => r.StatusCode == HttpStatusCode.OK))
        {
        }

        var loops = new[] { edgeA, edgeB }.Select(edge => RequestLoop.Start(clock, async _ =>
        {
            using var response = await edge.Proxy.GetAsync($"/{service}");
            return (response.StatusCode == HttpStatusCode.OK, ((int)response.StatusCode).ToString());
        })).ToList();
        await Task.Delay(TimeSpan.FromSeconds(2));
        doomed.Process.Kill();
        await Task.Delay(TimeSpan.FromSeconds(8));
        foreach (var loop in loops)
        {
            await loop.DisposeAsync();
            Assert.Empty(loop.Failures);
        }

        var answered = loops.Sum(l => l.Outcomes.Count) + 2; // and the two readiness requests
        await WaitUntilDeliveredAsync(edgeA);
        await WaitUntilDeliveredAsync(edgeB);
        var exported = await ExportedRequestsAsync(edgeB, service);
        output.WriteLine($"{answered} requests answered across the kill, {exported} exported");
        Assert.Equal(answered, exported);
    }

    [Fact]
    public async Task Batches_journaled_by_an_edge_killed_while_the_cluster_was_down_are_delivered_by_the_next_edge()
    {
        var backend = ClusterBackend.Postgres(fixture.Postgres);
        var silo = await SiloNode.StartAsync(backend: backend);
        var doomedEdge = await EdgeNode.StartClientAsync(backend);
        var service = await ServiceAsync(doomedEdge);
        await WaitUntilDeliveredAsync(doomedEdge);

        // The cluster goes away; the edge keeps serving from its table and journals what it meters.
        silo.Process.Kill();
        await silo.DisposeAsync();
        for (var i = 0; i < 50; i++)
        {
            using var response = await doomedEdge.Proxy.GetAsync($"/{service}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await Task.Delay(TimeSpan.FromSeconds(2.5)); // more than a flush interval: every request is in a sealed batch
        doomedEdge.Process.Kill();
        await doomedEdge.DisposeAsync();
        Assert.Contains(Directory.GetFiles(doomedEdge.JournalDirectory), f => new FileInfo(f).Length > 0);

        await using var newSilo = await SiloNode.StartAsync(backend: backend);
        await using var newEdge = await EdgeNode.StartClientAsync(backend, journalDirectory: doomedEdge.JournalDirectory);
        await WaitUntilDeliveredAsync(newEdge);
        Assert.Equal(51, await ExportedRequestsAsync(newEdge, service));
        Assert.Single(Directory.GetFiles(newEdge.JournalDirectory)); // the dead edge's journal is gone, the new edge's own remains
    }
}
