using System.Globalization;
using System.Text.Json;
using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>
/// Turnpike next to nginx on this machine, in one run: an nginx origin answering a small 200; wrk straight
/// to it (direct), through nginx as a reverse proxy with upstream keep-alive, through the yardsticks of
/// <see cref="ReferenceProxy"/> (bare YARP, and the floor of any forwarder on Kestrel), and through two Release edges: one
/// without metering (no plugins; key-auth; key-auth + rate-limiting (cluster)) and one metering (no plugins;
/// key-auth + rate-limiting + metering). Targets alternate round by round with the same wrk settings, at two
/// concurrencies. Prints Markdown, the plugins' cost within each edge, and writes JSON.
/// </summary>
internal static class ProxyComparisonBenchmark
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task RunAsync(int rounds, int seconds, int[] concurrencies, bool inlineIo)
    {
        await using var origin = await NginxProcess.StartOriginAsync();
        await using var nginx = await NginxProcess.StartProxyAsync(origin.Port);
        var (bareYarp, bareYarpUrl) = await ReferenceProxy.StartAsync(ReferenceProxy.Yarp, origin.Url, inlineIo);
        await using var bareYarpProcess = bareYarp;
        var (floor, floorUrl) = await ReferenceProxy.StartAsync(ReferenceProxy.Floor, origin.Url, inlineIo);
        await using var floorProcess = floor;
        await using var silo = await SiloNode.StartAsync();
        // Edges as shipped (server GC, appsettings.json's log levels); metering only on the full set-up.
        var inline = inlineIo ? "true" : "false";
        await using var plainEdge = await EdgeNode.StartClientAsync([silo], extraEnvironment: EdgeNode.AsShipped(new() { ["Turnpike__InlineIo"] = inline, ["Turnpike__Metering__Enabled"] = "false" }));
        await using var fullEdge = await EdgeNode.StartClientAsync([silo], extraEnvironment: EdgeNode.AsShipped(new() { ["Turnpike__InlineIo"] = inline }));
        await SetUpAsync(plainEdge, origin);
        foreach (var edge in new[] { plainEdge, fullEdge })
        {
            using var ready = await edge.Proxy.EventuallyAsync("/full?apikey=bench-key", r => r.IsSuccessStatusCode);
        }

        // Each target with the process whose CPU it costs: the origin for direct, else the proxy (not the origin).
        TimeSpan EdgeCpu(EdgeNode edge) => ProcessStats.CpuTime(edge.Process.Id);
        var targets = new (string Name, string Url, string[] Headers, Func<TimeSpan> Cpu)[]
        {
            ("direct (nginx origin)", origin.Url + "/", [], () => origin.CpuTime),
            ("nginx reverse proxy", nginx.Url + "/", [], () => nginx.CpuTime),
            ("bare YARP, one route", bareYarpUrl, [], () => ProcessStats.CpuTime(bareYarp.Id)),
            ("Kestrel + raw forwarder (floor)", floorUrl, [], () => ProcessStats.CpuTime(floor.Id)),
            ("turnpike, no plugins", $"http://127.0.0.1:{plainEdge.ProxyPort}/plain", [], () => EdgeCpu(plainEdge)),
            ("turnpike, key-auth", $"http://127.0.0.1:{plainEdge.ProxyPort}/keyauth", ["apikey: bench-key"], () => EdgeCpu(plainEdge)),
            ("turnpike, key-auth + rate-limiting", $"http://127.0.0.1:{plainEdge.ProxyPort}/full", ["apikey: bench-key"], () => EdgeCpu(plainEdge)),
            ("turnpike, metering, no plugins", $"http://127.0.0.1:{fullEdge.ProxyPort}/plain", [], () => EdgeCpu(fullEdge)),
            ("turnpike, key-auth + rate-limiting + metering", $"http://127.0.0.1:{fullEdge.ProxyPort}/full", ["apikey: bench-key"], () => EdgeCpu(fullEdge)),
        };

        var results = new List<object>();
        foreach (var connections in concurrencies)
        {
            var runs = targets.ToDictionary(t => t.Name, _ => new List<Wrk>());
            var allocated = targets.ToDictionary(t => t.Name, _ => new List<double>());
            var cpu = targets.ToDictionary(t => t.Name, _ => new List<double>());
            foreach (var target in targets)
            {
                await Wrk.RunAsync(target.Url, connections, TimeSpan.FromSeconds(2), target.Headers); // warm-up
            }

            for (var round = 0; round < rounds; round++)
            {
                foreach (var target in targets)
                {
                    var edge = target.Url.Contains($":{plainEdge.ProxyPort}/", StringComparison.Ordinal) ? plainEdge
                        : target.Url.Contains($":{fullEdge.ProxyPort}/", StringComparison.Ordinal) ? fullEdge : null;
                    var (bytes, requests) = edge is null ? (0, 0) : (await edge.MetricAsync("turnpike_gc_allocated_bytes_total"), await edge.MetricAsync("turnpike_requests_total"));
                    var cpuBefore = target.Cpu();
                    var run = await Wrk.RunAsync(target.Url, connections, TimeSpan.FromSeconds(seconds), target.Headers);
                    runs[target.Name].Add(run);
                    cpu[target.Name].Add((target.Cpu() - cpuBefore).TotalMicroseconds / (run.RequestsPerSecond * seconds));
                    if (edge is not null)
                    {
                        // The edge's whole allocation (YARP and Kestrel included) over the requests it served.
                        allocated[target.Name].Add((double)(await edge.MetricAsync("turnpike_gc_allocated_bytes_total") - bytes) / (await edge.MetricAsync("turnpike_requests_total") - requests));
                    }
                }
            }

            double Median(string name, Func<Wrk, double> value) => Percentiles.Of([.. runs[name].Select(value)], 50);
            var direct = targets[0].Name;
            var reference = targets[1].Name;
            Console.WriteLine();
            Console.WriteLine($"### {connections} connections (wrk -t1, {rounds} rounds of {seconds} s, medians)");
            Console.WriteLine();
            Console.WriteLine("| target | requests/s | p50 ms | p99 ms | throughput / nginx | added p50 ms | added p99 ms | CPU µs / request | bytes allocated / request | non-2xx |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
            foreach (var (name, _, _, _) in targets)
            {
                var rps = Median(name, r => r.RequestsPerSecond);
                var row = new
                {
                    connections,
                    target = name,
                    requests_per_second = Math.Round(rps),
                    p50_ms = Median(name, r => r.P50Ms),
                    p99_ms = Median(name, r => r.P99Ms),
                    ratio_to_nginx = rps / Median(reference, r => r.RequestsPerSecond),
                    added_p50_ms = Median(name, r => r.P50Ms) - Median(direct, r => r.P50Ms),
                    added_p99_ms = Median(name, r => r.P99Ms) - Median(direct, r => r.P99Ms),
                    cpu_us_per_request = Math.Round(Percentiles.Of(cpu[name], 50), 1),
                    allocated_bytes_per_request = allocated[name].Count == 0 ? (double?)null : Math.Round(Percentiles.Of(allocated[name], 50)),
                    non_2xx = runs[name].Sum(r => r.Non2xx),
                    runs_requests_per_second = runs[name].Select(r => Math.Round(r.RequestsPerSecond)).ToArray(),
                };
                results.Add(row);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {row.requests_per_second:F0} | {row.p50_ms:F3} | {row.p99_ms:F3} | {row.ratio_to_nginx:F2} | {row.added_p50_ms:F3} | {row.added_p99_ms:F3} | {row.cpu_us_per_request:F1} | {row.allocated_bytes_per_request?.ToString("F0", CultureInfo.InvariantCulture) ?? "–"} | {row.non_2xx} |"));
            }

            // The plugins' cost measured within one edge process: two edges differ by more from run to run (where their
            // threads land beside wrk, nginx and the silo) than the whole plugin stack costs.
            Console.WriteLine();
            foreach (var (withPlugins, without) in SameEdgePairs)
            {
                double Cpu(string name) => Percentiles.Of(cpu[name], 50);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"same edge: {withPlugins} / {without}: throughput {Median(withPlugins, r => r.RequestsPerSecond) / Median(without, r => r.RequestsPerSecond):F2}, CPU µs per request {Cpu(withPlugins) - Cpu(without):+0.0;-0.0}"));
            }
        }

        var file = Path.Combine(RepoPaths.Root, "bench", "results", $"proxy-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { machine = Environment.ProcessorCount + " cores", date = DateTime.UtcNow, inline_io = inlineIo, results }, Indented));
        Console.WriteLine();
        Console.WriteLine($"results: {file}");
    }

    private static readonly (string WithPlugins, string Without)[] SameEdgePairs =
    [
        ("turnpike, key-auth", "turnpike, no plugins"),
        ("turnpike, key-auth + rate-limiting", "turnpike, no plugins"),
        ("turnpike, key-auth + rate-limiting + metering", "turnpike, metering, no plugins"),
    ];

    private static async Task SetUpAsync(EdgeNode edge, NginxProcess origin)
    {
        await edge.Admin.CreateAsync("/consumers", new { username = "bench" });
        await edge.Admin.CreateAsync("/consumers/bench/key-auth", new { key = "bench-key" });
        foreach (var (name, plugins) in new[] { ("plain", 0), ("keyauth", 1), ("full", 2) })
        {
            await edge.Admin.CreateAsync("/services", new { name, url = origin.Url });
            if (plugins >= 1)
            {
                await edge.Admin.CreateAsync($"/services/{name}/plugins", new { name = "key-auth" });
            }

            if (plugins >= 2)
            {
                await edge.Admin.CreateAsync($"/services/{name}/plugins", new { name = "rate-limiting", config = new { second = 1_000_000, hour = 1_000_000_000 } });
            }

            await edge.Admin.CreateAsync($"/services/{name}/routes", new { paths = new[] { "/" + name } });
        }
    }
}
