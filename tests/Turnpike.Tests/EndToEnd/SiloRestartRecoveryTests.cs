using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>
/// A silo killed and started again under edges (localhost clustering, memory storage: it comes back empty): the
/// edges serve their last table meanwhile, retry with growing back-off, log one line when contact is lost and one
/// when it is back, and resynchronise exactly once.
/// </summary>
public sealed class SiloRestartRecoveryTests
{
    private static readonly Dictionary<string, string> EdgeSettings = new()
    {
        ["Turnpike__Sync__RetryInitialDelay"] = "00:00:00.2",
        ["Turnpike__Sync__RetryMaxDelay"] = "00:00:01.6",
        ["Logging__LogLevel__Turnpike.Edge.RouteTable.RouteTableSync"] = "Information",
    };

    [Fact]
    public async Task A_silo_restart_makes_each_edge_resync_once_after_backing_off_and_keep_serving_meanwhile()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        var silo = await SiloNode.StartAsync();
        try
        {
            var edges = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => EdgeNode.StartClientAsync([silo], extraEnvironment: EdgeSettings)));
            try
            {
                Assert.Equal(201, (await edges[0].Admin.PostJsonAsync("/services", new { name = "before", url = upstream.Url })).Status);
                Assert.Equal(201, (await edges[0].Admin.PostJsonAsync("/services/before/routes", new { paths = new[] { "/before" } })).Status);
                foreach (var edge in edges)
                {
                    using var served = await edge.Proxy.EventuallyAsync("/before", r => r.IsSuccessStatusCode);
                }

                silo.Process.Kill();

                // Back-off visible in each edge's metrics: the wait grows to the cap, attempts come no faster than it allows.
                foreach (var edge in edges)
                {
                    await Poll.UntilAsync(async () => await edge.MetricAsync("turnpike_route_table_sync_backoff_milliseconds") >= 800, TimeSpan.FromSeconds(20), "back-off at its cap");
                    using var stillServed = await edge.Proxy.GetAsync("/before");
                    Assert.True(stillServed.IsSuccessStatusCode, "the edge serves its last table while the silo is down");
                }

                var failuresBefore = await Task.WhenAll(edges.Select(e => e.MetricAsync("turnpike_route_table_sync_failures_total")));
                await Task.Delay(TimeSpan.FromSeconds(3));
                var failuresAfter = await Task.WhenAll(edges.Select(e => e.MetricAsync("turnpike_route_table_sync_failures_total")));
                for (var i = 0; i < edges.Length; i++)
                {
                    // At the 1.6 s cap (jittered down to 0.8 s at least), 3 s hold at most 4 attempts; without back-off, dozens.
                    Assert.InRange(failuresAfter[i] - failuresBefore[i], 1, 4);
                }

                var killed = silo;
                silo = await killed.RestartAsync();
                await killed.DisposeAsync();

                foreach (var edge in edges)
                {
                    await Poll.UntilAsync(async () => await edge.MetricAsync("turnpike_route_table_resyncs_total") >= 1, TimeSpan.FromSeconds(20), "resync after the restart");
                }

                // The restarted silo is empty: a write through it reaches every edge.
                Assert.Equal(201, (await edges[1].Admin.PostJsonAsync("/services", new { name = "after", url = upstream.Url })).Status);
                Assert.Equal(201, (await edges[1].Admin.PostJsonAsync("/services/after/routes", new { paths = new[] { "/after" } })).Status);
                foreach (var edge in edges)
                {
                    using var served = await edge.Proxy.EventuallyAsync("/after", r => r.IsSuccessStatusCode);
                    await Poll.UntilAsync(async () => await edge.MetricAsync("turnpike_route_table_sync_backoff_milliseconds") == 0, TimeSpan.FromSeconds(10), "back-off cleared");
                }

                await Task.Delay(TimeSpan.FromSeconds(2)); // two poll intervals: no further resync comes
                foreach (var edge in edges)
                {
                    Assert.Equal(1, await edge.MetricAsync("turnpike_route_table_resyncs_total"));
                    var lines = edge.Process.Output.Split('\n');
                    Assert.Single(lines, l => l.Contains("Lost contact with the route table", StringComparison.Ordinal));
                    Assert.Single(lines, l => l.Contains("Route table reachable again", StringComparison.Ordinal));
                    Assert.False(lines.Any(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal)), "a stack trace in the edge's log:\n" + edge.Process.Output);
                }
            }
            finally
            {
                foreach (var edge in edges)
                {
                    await edge.DisposeAsync();
                }
            }
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }
}
