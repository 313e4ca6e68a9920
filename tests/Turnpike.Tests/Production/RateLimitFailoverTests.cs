using System.Diagnostics;
using System.Net;
using Turnpike.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Turnpike.Tests.Production;

/// <summary>A rate-limit counter's silo killed mid-window, with counters stored in PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RateLimitFailoverTests(PostgresFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_the_silo_that_holds_a_counter_mid_window_admits_no_more_than_the_limit()
    {
        const int Limit = 2000;
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromHours(1), TimeSpan.FromMinutes(2));
        var backend = ClusterBackend.Postgres(fixture.Postgres);
        var clock = Stopwatch.StartNew();

        // The counter activates on the only silo there is; more silos join before it is killed.
        var doomed = await SiloNode.StartAsync(backend: backend);
        await using var edgeA = await EdgeNode.StartClientAsync(backend);
        Assert.Equal(201, (await edgeA.Admin.PostJsonAsync("/services", new { name = "metered", url = fixture.Upstream.Url })).Status);
        Assert.Equal(201, (await edgeA.Admin.PostJsonAsync("/services/metered/plugins", new { name = "rate-limiting", config = new { hour = Limit, fault_tolerant = false } })).Status);
        Assert.Equal(201, (await edgeA.Admin.PostJsonAsync("/services/metered/routes", new { paths = new[] { "/metered" } })).Status);
        using (var first = await edgeA.Proxy.EventuallyAsync("/metered", r => r.StatusCode == HttpStatusCode.OK))
        {
        }

        await using var siloB = await SiloNode.StartAsync(backend: backend);
        await using var siloC = await SiloNode.StartAsync(backend: backend);
        await using var edgeB = await EdgeNode.StartClientAsync(backend);
        using (var ready = await edgeB.Proxy.EventuallyAsync("/metered", r => r.StatusCode == HttpStatusCode.OK))
        {
        }

        var admitted = 2; // the two readiness requests
        var counts = new Dictionary<HttpStatusCode, int>();
        var loops = new[] { edgeA, edgeB }.Select(edge => RequestLoop.Start(clock, async _ =>
        {
            using var response = await edge.Proxy.GetAsync("/metered");
            lock (counts)
            {
                counts[response.StatusCode] = counts.GetValueOrDefault(response.StatusCode) + 1;
            }

            return (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable, ((int)response.StatusCode).ToString());
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        lock (counts)
        {
            output.WriteLine($"before the kill: {counts.GetValueOrDefault(HttpStatusCode.OK)} admitted");
        }

        doomed.Process.Kill();

        // Demand continues until the limit is spent: every edge is rejecting with 429.
        var deadline = clock.Elapsed + TimeSpan.FromSeconds(90);
        while (clock.Elapsed < deadline && !Exhausted())
        {
            await Task.Delay(200);
        }

        foreach (var loop in loops)
        {
            await loop.DisposeAsync();
            Assert.Empty(loop.Failures);
        }

        lock (counts)
        {
            admitted += counts.GetValueOrDefault(HttpStatusCode.OK);
            output.WriteLine($"after the kill: {admitted} admitted of {Limit}, {counts.GetValueOrDefault(HttpStatusCode.ServiceUnavailable)} answered 503 while the counter moved, {counts.GetValueOrDefault(HttpStatusCode.TooManyRequests)} answered 429");
        }

        Assert.True(Exhausted(), "the limit was not reached within 90 s of the kill");
        Assert.True(admitted <= Limit, $"{admitted} admitted, limit {Limit}: the failover over-admitted");

        bool Exhausted() => loops.All(l => l.Outcomes.TakeLast(5).ToList() is { Count: 5 } last && last.All(o => o.Detail == "429"));
    }
}
