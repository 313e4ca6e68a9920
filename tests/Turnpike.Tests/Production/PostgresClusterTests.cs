using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Turnpike.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Turnpike.Tests.Production;

/// <summary>Silos and edges on PostgreSQL membership and storage, as operators run them, with nodes killed and restarted.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresClusterTests(PostgresFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Everything_stored_survives_a_restart_of_every_silo_and_edge()
    {
        var backend = ClusterBackend.Postgres(fixture.Postgres);
        await using (var silo = await SiloNode.StartAsync(backend: backend))
        await using (var edge = await EdgeNode.StartClientAsync(backend))
        {
            AssertCreated(await edge.Admin.PostFormAsync("/services", ("name", "kept"), ("url", fixture.Upstream.Url)));
            AssertCreated(await edge.Admin.PostFormAsync("/services/kept/routes", ("name", "kept-route"), ("paths[]", "/kept")));
            AssertCreated(await edge.Admin.PostFormAsync("/services", ("name", "gone"), ("url", fixture.Upstream.Url)));
            Assert.Equal(204, (await edge.Admin.SendJsonAsync(HttpMethod.Delete, "/services/gone")).Status);
            silo.Process.Kill();
            edge.Process.Kill();
        }

        await using var newSilo = await SiloNode.StartAsync(backend: backend);
        await using var newEdge = await EdgeNode.StartClientAsync(backend);
        Assert.Equal(200, (await newEdge.Admin.GetJsonAsync("/routes/kept-route")).Status);
        Assert.Equal(404, (await newEdge.Admin.GetJsonAsync("/services/gone")).Status);
        using var proxied = await newEdge.Proxy.GetAsync("/kept/x");
        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
    }

    [Fact]
    public async Task Killing_a_silo_keeps_traffic_flowing_and_loses_no_acknowledged_write_and_scale_out_and_in_fail_nothing()
    {
        var backend = ClusterBackend.Postgres(fixture.Postgres);
        var clock = Stopwatch.StartNew();

        // The route table grain activates on the only silo there is, so killing that silo kills the grain's host.
        var doomed = await SiloNode.StartAsync(backend: backend);
        await using var edgeA = await EdgeNode.StartClientAsync(backend);
        AssertCreated(await edgeA.Admin.PostFormAsync("/services", ("name", "api"), ("url", fixture.Upstream.Url)));
        AssertCreated(await edgeA.Admin.PostFormAsync("/services/api/routes", ("paths[]", "/api")));
        await using var siloB = await SiloNode.StartAsync(backend: backend);
        var siloC = await SiloNode.StartAsync(backend: backend);
        await using var edgeB = await EdgeNode.StartClientAsync(backend);
        await edgeA.Proxy.EventuallyAsync("/api/ping", r => r.StatusCode == HttpStatusCode.OK);
        await edgeB.Proxy.EventuallyAsync("/api/ping", r => r.StatusCode == HttpStatusCode.OK);

        var acknowledged = new ConcurrentBag<string>();
        await using var trafficA = RequestLoop.Start(clock, _ => Proxied(edgeA));
        await using var trafficB = RequestLoop.Start(clock, _ => Proxied(edgeB));
        await using var writes = ServiceCreations(clock, edgeB, acknowledged);
        await writes.WaitForSuccessesAsync(10, TimeSpan.FromSeconds(20));

        // kill -9 the silo that hosts the route table.
        var killedAt = clock.Elapsed;
        doomed.Process.Kill();
        await writes.WaitForSuccessesAsync(5, TimeSpan.FromSeconds(60));
        var failedWrites = writes.Failures.Where(f => f.At >= killedAt - TimeSpan.FromSeconds(1)).ToList();
        var firstOkAfterFailures = failedWrites.Count == 0 ? killedAt : writes.Outcomes.First(o => o.Ok && o.At > failedWrites[^1].At).At;
        output.WriteLine($"silo killed: {failedWrites.Count} admin writes failed, writes succeeded again {(firstOkAfterFailures - killedAt).TotalSeconds:F1} s after the kill");
        output.WriteLine($"proxied requests during the kill: {trafficA.Outcomes.Count + trafficB.Outcomes.Count}, failed: {trafficA.Failures.Count + trafficB.Failures.Count}");
        Assert.Empty(trafficA.Failures);
        Assert.Empty(trafficB.Failures);
        // Bound: failure detection (~4 s), or the 10 s response timeout for a write caught in flight to the dead silo.
        Assert.True(firstOkAfterFailures - killedAt < TimeSpan.FromSeconds(20), $"writes resumed only after {firstOkAfterFailures - killedAt}");
        Assert.All(failedWrites, f => Assert.StartsWith("503", f.Detail, StringComparison.Ordinal));

        // Scale out: a new silo joins; then scale in: a silo stops gracefully. Neither fails a request.
        // Calls caught by the kill end within the response timeout (10 s); scaling is judged after that.
        await Task.Delay(TimeSpan.FromSeconds(11));
        var beforeScaling = clock.Elapsed;
        await using var siloD = await SiloNode.StartAsync(backend: backend);
        await writes.WaitForSuccessesAsync(10, TimeSpan.FromSeconds(20));
        await siloC.Process.StopGracefullyAsync(TimeSpan.FromSeconds(30));
        await siloC.DisposeAsync();
        await writes.WaitForSuccessesAsync(10, TimeSpan.FromSeconds(20));

        // The silo that joined last takes the load: with B stopped too, D is the only silo left.
        await siloB.Process.StopGracefullyAsync(TimeSpan.FromSeconds(30));
        await writes.WaitForSuccessesAsync(10, TimeSpan.FromSeconds(30));
        await trafficA.WaitForSuccessesAsync(10, TimeSpan.FromSeconds(10));
        output.WriteLine($"scale out + in: {writes.Outcomes.Count(o => o.At > beforeScaling)} writes, failed: {writes.Failures.Count(o => o.At > beforeScaling)}");
        var scalingFailures = writes.Failures.Where(o => o.At > beforeScaling).ToList();
        Assert.True(scalingFailures.Count == 0, "writes failed while scaling: " + string.Join("; ", scalingFailures.Select(f => $"{f.At.TotalSeconds:F1}s {f.Detail}"))
            + "\nedge log:\n" + edgeB.Process.Output);
        Assert.Empty(trafficA.Failures);
        Assert.Empty(trafficB.Failures);

        await writes.DisposeAsync();
        await AssertAllStoredAsync(edgeA, acknowledged);

        output.WriteLine($"{acknowledged.Count} acknowledged writes, all present");
        await doomed.DisposeAsync();
    }

    [Fact]
    public async Task An_edge_killed_and_started_again_serves_the_current_table_within_seconds()
    {
        var backend = ClusterBackend.Postgres(fixture.Postgres);
        await using var silo = await SiloNode.StartAsync(backend: backend);
        var edge = await EdgeNode.StartClientAsync(backend);
        AssertCreated(await edge.Admin.PostFormAsync("/services", ("name", "s"), ("url", fixture.Upstream.Url)));
        AssertCreated(await edge.Admin.PostFormAsync("/services/s/routes", ("paths[]", "/s")));
        edge.Process.Kill();
        await edge.DisposeAsync();

        var clock = Stopwatch.StartNew();
        await using var restarted = await EdgeNode.StartClientAsync(backend);
        using var response = await restarted.Proxy.GetAsync("/s/1");
        output.WriteLine($"edge restart until it proxied by the current table: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task While_PostgreSQL_restarts_edges_keep_proxying_and_writes_resume_with_nothing_acknowledged_lost()
    {
        var backend = ClusterBackend.Postgres(fixture.Postgres);
        var clock = Stopwatch.StartNew();
        await using var silo = await SiloNode.StartAsync(backend: backend);
        await using var edge = await EdgeNode.StartClientAsync(backend);
        AssertCreated(await edge.Admin.PostFormAsync("/services", ("name", "api"), ("url", fixture.Upstream.Url)));
        AssertCreated(await edge.Admin.PostFormAsync("/services/api/routes", ("paths[]", "/api")));
        await edge.Proxy.EventuallyAsync("/api/ping", r => r.StatusCode == HttpStatusCode.OK);

        var acknowledged = new ConcurrentBag<string>();
        await using var traffic = RequestLoop.Start(clock, _ => Proxied(edge));
        await using var writes = ServiceCreations(clock, edge, acknowledged);
        await writes.WaitForSuccessesAsync(5, TimeSpan.FromSeconds(20));

        await fixture.Postgres.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await fixture.Postgres.RestartAsync();
        var restartedAt = clock.Elapsed;
        await writes.WaitForSuccessesAsync(5, TimeSpan.FromSeconds(60));
        var resumed = writes.Outcomes.First(o => o.Ok && o.At > restartedAt).At;
        output.WriteLine($"PostgreSQL down ~3 s: {writes.Failures.Count} writes failed (503), writes resumed {(resumed - restartedAt).TotalSeconds:F1} s after it was back; "
            + $"{traffic.Outcomes.Count} proxied requests, {traffic.Failures.Count} failed");
        Assert.Empty(traffic.Failures);
        Assert.NotEmpty(writes.Failures);
        Assert.All(writes.Failures, f => Assert.StartsWith("503", f.Detail, StringComparison.Ordinal));

        await writes.DisposeAsync();
        await AssertAllStoredAsync(edge, acknowledged);
    }

    [Fact]
    public async Task A_silo_whose_database_lacks_the_schema_exits_saying_how_to_apply_it()
    {
        var empty = fixture.Postgres.ConnectionString.Replace("Database=turnpike", "Database=postgres", StringComparison.Ordinal);
        var environment = new Dictionary<string, string>(ClusterBackend.Postgres(fixture.Postgres).Environment) { ["Turnpike__Cluster__AdoNet__ConnectionString"] = empty };
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloNode.StartAsync(backend: new ClusterBackend(environment)));
        Assert.Contains("schema is not applied", failure.Message, StringComparison.Ordinal);
        Assert.Contains("infra/postgres/apply-schema.sh", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_that_cannot_reach_its_database_exits_naming_the_setting()
    {
        var unreachable = $"Host=127.0.0.1;Port={FreePorts.Next()};Database=turnpike;Username=turnpike;Password=x";
        var environment = new Dictionary<string, string>(ClusterBackend.Postgres(fixture.Postgres).Environment) { ["Turnpike__Cluster__AdoNet__ConnectionString"] = unreachable };
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloNode.StartAsync(backend: new ClusterBackend(environment)));
        Assert.Contains("Cannot use the PostgreSQL server at 127.0.0.1", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Turnpike:Cluster:AdoNet:ConnectionString", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_told_to_use_AdoNet_without_a_connection_string_exits_naming_the_setting()
    {
        var environment = new Dictionary<string, string> { ["Turnpike__Cluster__Clustering"] = "AdoNet", ["Turnpike__Cluster__Storage"] = "AdoNet" };
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloNode.StartAsync(backend: new ClusterBackend(environment)));
        Assert.Contains("Turnpike:Cluster:AdoNet:ConnectionString is required", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>Creates services one after another; a 409 (a retried write that had been stored) counts as success.</summary>
    private RequestLoop ServiceCreations(Stopwatch clock, EdgeNode edge, ConcurrentBag<string> acknowledged) =>
        RequestLoop.Start(clock, async i =>
        {
            var name = $"w{i}";
            var (status, body) = await edge.Admin.PostFormAsync("/services", ("name", name), ("url", fixture.Upstream.Url));
            if (status == 201)
            {
                acknowledged.Add(name);
            }

            return (status is 201 or 409, $"{status} {body}");
        });

    private static async Task AssertAllStoredAsync(EdgeNode edge, IEnumerable<string> acknowledged)
    {
        foreach (var name in acknowledged)
        {
            var (status, body) = await edge.Admin.GetJsonAsync($"/services/{name}");
            Assert.True(status == 200, $"acknowledged {name}: {status} {body?.ToJsonString()}\nedge log:\n{edge.Process.Output}");
        }
    }

    private static void AssertCreated((int Status, System.Text.Json.Nodes.JsonNode? Body) response) =>
        Assert.True(response.Status == 201, $"{response.Status} {response.Body?.ToJsonString()}");

    private static async Task<(bool Ok, string Detail)> Proxied(EdgeNode edge)
    {
        using var response = await edge.Proxy.GetAsync("/api/ping");
        return (response.StatusCode == HttpStatusCode.OK, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
