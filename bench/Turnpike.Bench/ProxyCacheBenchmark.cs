using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>
/// proxy-cache: a cached route's hits next to the same edge proxying to the origin and to the origin itself (nginx
/// <c>return 200</c>), in alternating wrk rounds, with the CPU each costs its process per request. A hit should cost
/// less than a proxied request.
/// </summary>
internal static class ProxyCacheBenchmark
{
    public static async Task RunAsync(int rounds, int seconds, int connections)
    {
        await using var origin = await NginxProcess.StartOriginAsync();
        await using var silo = await SiloNode.StartAsync();
        await using var edge = await EdgeNode.StartClientAsync([silo], extraEnvironment: EdgeNode.AsShipped(new() { ["Turnpike__Metering__Enabled"] = "false" }));
        foreach (var (name, cached) in new[] { ("proxied", false), ("cached", true) })
        {
            await edge.Admin.CreateAsync("/services", new { name, url = origin.Url });
            if (cached)
            {
                await edge.Admin.CreateAsync($"/services/{name}/plugins", new { name = "proxy-cache", config = new { strategy = "memory", cache_ttl = 3600 } });
            }

            await edge.Admin.CreateAsync($"/services/{name}/routes", new { paths = new[] { "/" + name } });
            using var ready = await edge.Proxy.EventuallyAsync("/" + name, r => r.IsSuccessStatusCode);
        }

        var targets = new (string Name, string Url, Func<TimeSpan> Cpu)[]
        {
            ("direct (nginx origin)", origin.Url + "/", () => origin.CpuTime),
            ("turnpike, proxied", $"http://127.0.0.1:{edge.ProxyPort}/proxied", () => ProcessStats.CpuTime(edge.Process.Id)),
            ("turnpike, proxy-cache hit", $"http://127.0.0.1:{edge.ProxyPort}/cached", () => ProcessStats.CpuTime(edge.Process.Id)),
        };
        foreach (var target in targets)
        {
            await Wrk.RunAsync(target.Url, connections, TimeSpan.FromSeconds(2)); // warm-up (and the one miss)
        }

        var runs = targets.ToDictionary(t => t.Name, _ => new List<Wrk>());
        var cpu = targets.ToDictionary(t => t.Name, _ => new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var target in targets)
            {
                var before = target.Cpu();
                var run = await Wrk.RunAsync(target.Url, connections, TimeSpan.FromSeconds(seconds));
                runs[target.Name].Add(run);
                cpu[target.Name].Add((target.Cpu() - before).TotalMicroseconds / (run.RequestsPerSecond * seconds));
            }
        }

        double Median(string name, Func<Wrk, double> value) => Percentiles.Of([.. runs[name].Select(value)], 50);
        var proxied = targets[1].Name;
        Console.WriteLine();
        Console.WriteLine($"### {connections} connections (wrk -t1, {rounds} rounds of {seconds} s, medians)");
        Console.WriteLine();
        Console.WriteLine("| target | requests/s | p50 ms | p99 ms | throughput / proxied | CPU µs / request (its process) | non-2xx |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (name, _, _) in targets)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"| {name} | {Median(name, r => r.RequestsPerSecond):F0} | {Median(name, r => r.P50Ms):F3} | {Median(name, r => r.P99Ms):F3} | {Median(name, r => r.RequestsPerSecond) / Median(proxied, r => r.RequestsPerSecond):F2} | {Percentiles.Of(cpu[name], 50):F1} | {runs[name].Sum(r => r.Non2xx)} |"));
        }
    }
}
