using System.Diagnostics;
using System.Net;
using Turnpike.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Turnpike.Tests.EndToEnd.Regions;

/// <summary><c>policy: global</c> across the three regions of <see cref="ThreeRegionFixture"/> (40 ms each way between regions).</summary>
[Collection(ThreeRegionCollection.Name)]
public sealed class GlobalRateLimitTests(ThreeRegionFixture fixture, ITestOutputHelper output)
{
    private readonly string _name = "grl-" + Guid.NewGuid().ToString("N")[..8];

    private EdgeNode Edge(string region, int index = 0) => fixture.Regions[region].Edges[index];

    /// <summary>
    /// A key-auth service limited as <paramref name="config"/> says, its consumer and route, written through
    /// <paramref name="through"/>; returns the proxied path once every edge of every region serves it (probed without a
    /// key: key-auth answers 401 before the limit spends anything).
    /// </summary>
    private async Task<string> LimitedRouteAsync(EdgeNode through, string name, object config)
    {
        var admin = through.Admin;
        await admin.CreateAsync("/services", new { name, url = fixture.Upstream.Url });
        await admin.CreateAsync($"/services/{name}/plugins", new { name = "key-auth" });
        await admin.CreateAsync($"/services/{name}/plugins", new { name = "rate-limiting", config });
        await admin.CreateAsync("/consumers", new { username = name });
        await admin.CreateAsync($"/consumers/{name}/key-auth", new { key = name + "-key" });
        await admin.CreateAsync($"/services/{name}/routes", new { paths = new[] { $"/{name}" } });
        foreach (var edge in fixture.AllEdges)
        {
            using var ready = await edge.Proxy.EventuallyAsync($"/{name}", r => r.StatusCode == HttpStatusCode.Unauthorized);
        }

        return $"/{name}?apikey={name}-key";
    }

    /// <summary>
    /// Two callers per edge send requests (20 ms apart) until <paramref name="stop"/> says so; the statuses answered.
    /// </summary>
    private static async Task<List<HttpStatusCode>> DriveAsync(IReadOnlyList<EdgeNode> edges, string path, Func<List<HttpStatusCode>, bool> stop)
    {
        var statuses = new List<HttpStatusCode>();
        using var clients = new ClientSet(edges);
        await Task.WhenAll(Enumerable.Range(0, edges.Count * 2).Select(async i =>
        {
            while (true)
            {
                lock (statuses)
                {
                    if (stop(statuses))
                    {
                        return;
                    }
                }

                using var response = await clients[i % edges.Count].GetAsync(path);
                lock (statuses)
                {
                    statuses.Add(response.StatusCode);
                }

                await Task.Delay(20);
            }
        }));
        return statuses;
    }

    /// <summary>
    /// Drives <paramref name="edges"/> until <paramref name="expected"/> requests were admitted (permits leased but not yet
    /// spent come back within a lease's life), then two seconds more, in which nothing more may be admitted; at most 20 s.
    /// </summary>
    private static async Task<(List<HttpStatusCode> Statuses, TimeSpan? Full)> DriveUntilAdmittedAsync(IReadOnlyList<EdgeNode> edges, string path, int expected)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan? full = null;
        var statuses = await DriveAsync(edges, path, s =>
        {
            if (full is null && s.Count(x => x == HttpStatusCode.OK) >= expected)
            {
                full = clock.Elapsed;
            }

            return clock.Elapsed > (full ?? TimeSpan.FromSeconds(18)) + TimeSpan.FromSeconds(2);
        });
        return (statuses, full);
    }

    [Fact]
    public async Task A_global_limit_of_100_a_minute_driven_from_six_edges_in_three_regions_admits_exactly_100()
    {
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30));
        var path = await LimitedRouteAsync(Edge("ap", 1), _name, new { minute = 100, policy = "global" });
        var edges = fixture.AllEdges.ToList();
        var before = await Task.WhenAll(edges.Select(e => e.RateLimitCountersAsync()));
        var homeCallsBefore = await Task.WhenAll(ThreeRegionFixture.Names.Select(n => SiloMetricAsync(n, "turnpike_global_ratelimit_home_calls_total")));

        var clock = Stopwatch.StartNew();
        var (statuses, full) = await DriveUntilAdmittedAsync(edges, path, 100);

        var after = await Task.WhenAll(edges.Select(e => e.RateLimitCountersAsync()));
        var homeCallsAfter = await Task.WhenAll(ThreeRegionFixture.Names.Select(n => SiloMetricAsync(n, "turnpike_global_ratelimit_home_calls_total")));
        var grainCalls = after.Zip(before).Sum(p => p.First.GrainCalls - p.Second.GrainCalls);
        var homeCalls = homeCallsAfter.Zip(homeCallsBefore).Sum(p => p.First - p.Second);
        output.WriteLine($"{statuses.Count} requests over {clock.Elapsed.TotalSeconds:0.0} s; limit used up after {full?.TotalSeconds:0.00} s; "
            + $"{statuses.Count(s => s == HttpStatusCode.OK)} admitted; edge→region counter calls {grainCalls}, region→home calls {homeCalls} "
            + $"({string.Join(", ", ThreeRegionFixture.Names.Select((n, i) => $"{n} {homeCallsAfter[i] - homeCallsBefore[i]}"))})");

        output.WriteLine(string.Join(", ", edges.Select((e, i) => $"edge {i}: {after[i].Admitted - before[i].Admitted} admitted, {after[i].GrainCalls - before[i].GrainCalls} calls")));
        Assert.Equal(100, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"answered {(int)s}"));
        // Every region took part: each region's edges were admitted some.
        foreach (var region in ThreeRegionFixture.Names)
        {
            var admitted = fixture.Regions[region].Edges.Sum(e => after[edges.IndexOf(e)].Admitted - before[edges.IndexOf(e)].Admitted);
            Assert.True(admitted > 0, $"region {region} admitted nothing");
        }
    }

    [Fact]
    public async Task A_region_cut_off_from_home_admits_its_share_counted_in_the_region_with_fault_tolerant_and_refuses_with_503_without()
    {
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(25));
        var (_, regions) = await Edge("eu").Admin.GetJsonAsync("/regions");
        var home = regions!["home"]!.GetValue<string>();
        var cut = ThreeRegionFixture.Names.First(n => n != home);
        var tolerant = await LimitedRouteAsync(Edge(home), _name + "-t", new { minute = 90, policy = "global", fault_tolerant = true });
        var strict = await LimitedRouteAsync(Edge(home), _name + "-s", new { minute = 90, policy = "global", fault_tolerant = false });

        fixture.Isolate(cut);
        try
        {
            // Nothing held before the cut: the region admits its share, a third of 90 (three regions), over both its edges.
            var cutEdges = fixture.Regions[cut].Edges;
            var (statuses, _) = await DriveUntilAdmittedAsync(cutEdges, tolerant, 30);
            Assert.Equal(30, statuses.Count(s => s == HttpStatusCode.OK));
            Assert.Equal(statuses.Count - 30, statuses.Count(s => s == HttpStatusCode.TooManyRequests));

            statuses = await DriveAsync(cutEdges, strict, s => s.Count >= 8);
            Assert.All(statuses, s => Assert.Equal(HttpStatusCode.ServiceUnavailable, s));

            // The regions that reach home go on as before.
            using var served = await Edge(home, 1).Proxy.GetAsync(strict);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }
        finally
        {
            fixture.Rejoin(cut);
        }
    }

    private async Task<long> SiloMetricAsync(string region, string name)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Regions[region].Silo.StatusPort}") };
        var lines = (await client.GetStringAsync("/metrics")).Split('\n');
        var line = lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal) && !l.StartsWith('#'));
        return line is null ? 0 : (long)double.Parse(line.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>One pooled client per edge's proxy.</summary>
    private sealed class ClientSet(IEnumerable<EdgeNode> edges) : IDisposable
    {
        private readonly HttpClient[] _clients = [.. edges.Select(e => new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = e.Proxy.BaseAddress, Timeout = TimeSpan.FromSeconds(30) })];

        public HttpClient this[int index] => _clients[index];

        public void Dispose()
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }
    }
}
