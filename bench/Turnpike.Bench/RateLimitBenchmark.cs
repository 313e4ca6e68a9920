using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>
/// Proxy throughput with key-auth + rate-limiting (cluster policy, a limit never reached) next to the same
/// edge with no plugins, in alternating wrk rounds: one silo, one edge, one upstream, all on loopback.
/// Also reports the counter calls per admitted request the edge counted over the run.
/// </summary>
internal static class RateLimitBenchmark
{
    public static async Task RunAsync(int rounds, int seconds, int connections)
    {
        await using var upstream = await UpstreamServer.StartAsync();
        await using var silo = await SiloNode.StartAsync();
        await using var edge = await EdgeNode.StartClientAsync([silo]);
        await Setup(edge, upstream);
        var plain = $"http://127.0.0.1:{edge.ProxyPort}/plain";
        var limited = $"http://127.0.0.1:{edge.ProxyPort}/limited";
        await Wrk.RunAsync(plain, connections, TimeSpan.FromSeconds(2));
        await Wrk.RunAsync(limited, connections, TimeSpan.FromSeconds(2), "apikey: bench-key");

        var before = await edge.RateLimitCountersAsync();
        var plainRuns = new List<Wrk>();
        var limitedRuns = new List<Wrk>();
        for (var i = 0; i < rounds; i++)
        {
            plainRuns.Add(await Wrk.RunAsync(plain, connections, TimeSpan.FromSeconds(seconds)));
            limitedRuns.Add(await Wrk.RunAsync(limited, connections, TimeSpan.FromSeconds(seconds), "apikey: bench-key"));
            Console.WriteLine($"round {i + 1}: no plugins {plainRuns[^1].RequestsPerSecond:F0}/s, key-auth + rate-limiting {limitedRuns[^1].RequestsPerSecond:F0}/s");
        }

        var after = await edge.RateLimitCountersAsync();
        var plainRps = Percentiles.Of(plainRuns.Select(r => r.RequestsPerSecond).ToList(), 50);
        var limitedRps = Percentiles.Of(limitedRuns.Select(r => r.RequestsPerSecond).ToList(), 50);
        Console.WriteLine($"| set-up | requests/s (median of {rounds}) | p50 ms | p99 ms | non-2xx |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| no plugins | {plainRps:F0} | {Percentiles.Of(plainRuns.Select(r => r.P50Ms).ToList(), 50):F2} | {Percentiles.Of(plainRuns.Select(r => r.P99Ms).ToList(), 50):F2} | {plainRuns.Sum(r => r.Non2xx)} |");
        Console.WriteLine($"| key-auth + rate-limiting (cluster) | {limitedRps:F0} | {Percentiles.Of(limitedRuns.Select(r => r.P50Ms).ToList(), 50):F2} | {Percentiles.Of(limitedRuns.Select(r => r.P99Ms).ToList(), 50):F2} | {limitedRuns.Sum(r => r.Non2xx)} |");
        Console.WriteLine($"ratio with plugins / without: {limitedRps / plainRps:F3} (goal >= 0.90)");
        var admitted = after.Admitted - before.Admitted;
        Console.WriteLine($"counter calls per admitted request: {(double)(after.GrainCalls - before.GrainCalls) / Math.Max(1, admitted):F5} ({after.GrainCalls - before.GrainCalls} calls, {admitted} admitted)");
    }

    private static async Task Setup(EdgeNode edge, UpstreamServer upstream)
    {
        await edge.Admin.CreateAsync("/services", new { name = "plain", url = upstream.Url });
        await edge.Admin.CreateAsync("/services/plain/routes", new { paths = new[] { "/plain" } });
        await edge.Admin.CreateAsync("/services", new { name = "limited", url = upstream.Url });
        await edge.Admin.CreateAsync("/services/limited/plugins", new { name = "key-auth" });
        await edge.Admin.CreateAsync("/services/limited/plugins", new { name = "rate-limiting", config = new { second = 1_000_000, hour = 1_000_000_000 } });
        await edge.Admin.CreateAsync("/consumers", new { username = "bench" });
        await edge.Admin.CreateAsync("/consumers/bench/key-auth", new { key = "bench-key" });
        await edge.Admin.CreateAsync("/services/limited/routes", new { paths = new[] { "/limited" } });
        using var ready = await edge.Proxy.EventuallyAsync("/limited?apikey=bench-key", r => r.IsSuccessStatusCode);
    }
}
