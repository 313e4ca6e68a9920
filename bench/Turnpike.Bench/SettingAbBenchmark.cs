using System.Globalization;
using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>
/// Whether a runtime or edge setting pays: two Release edges as shipped (metering off), clients of one silo and
/// serving one no-plugin route to an nginx origin, B with the settings given and A without. wrk runs against each in
/// turn, the order swapped every round so neither always goes first (settings given with <c>--both</c> go to A and B:
/// to compare under, say, inline scheduling); prints each pair, the medians, how many
/// pairs B won, and each edge's peak resident set. Settings that two edges in one run do not separate by more than their pairs disagree are noise.
/// </summary>
internal static class SettingAbBenchmark
{
    public static async Task RunAsync(IReadOnlyList<string> settings, IReadOnlyList<string> both, int rounds, int seconds, int connections)
    {
        if (settings.Count == 0)
        {
            throw new ArgumentException("Give the settings to try: --env KEY=VALUE (one or more).");
        }

        static Dictionary<string, string> Settings(IEnumerable<string> pairs) => pairs.Select(s => s.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");
        var shared = Settings(both);
        shared["Turnpike__Metering__Enabled"] = "false";
        var environment = new Dictionary<string, string>(shared);
        foreach (var (key, value) in Settings(settings))
        {
            environment[key] = value;
        }

        await using var origin = await NginxProcess.StartOriginAsync();
        await using var silo = await SiloNode.StartAsync();
        await using var a = await EdgeNode.StartClientAsync([silo], extraEnvironment: EdgeNode.AsShipped(shared));
        await using var b = await EdgeNode.StartClientAsync([silo], extraEnvironment: EdgeNode.AsShipped(environment));
        await a.Admin.CreateAsync("/services", new { name = "plain", url = origin.Url });
        await a.Admin.CreateAsync("/services/plain/routes", new { paths = new[] { "/plain" } });
        var edges = new[] { ("A", a), ("B", b) };
        foreach (var (_, edge) in edges)
        {
            using var ready = await edge.Proxy.EventuallyAsync("/plain", r => r.IsSuccessStatusCode);
            await Wrk.RunAsync($"http://127.0.0.1:{edge.ProxyPort}/plain", connections, TimeSpan.FromSeconds(3)); // warm-up
        }

        Console.WriteLine($"B: {string.Join(' ', settings)}; both: {(both.Count == 0 ? "as shipped" : string.Join(' ', both))}; {connections} connections, {rounds} pairs of {seconds} s");
        Console.WriteLine();
        Console.WriteLine("| pair | A requests/s | A CPU µs / request | A p99 ms | B requests/s | B CPU µs / request | B p99 ms |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        var results = edges.ToDictionary(e => e.Item1, _ => new List<(double Rps, double Cpu, double P99)>());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, edge) in round % 2 == 0 ? edges : edges.Reverse())
            {
                var before = ProcessStats.CpuTime(edge.Process.Id);
                var run = await Wrk.RunAsync($"http://127.0.0.1:{edge.ProxyPort}/plain", connections, TimeSpan.FromSeconds(seconds));
                var cpu = (ProcessStats.CpuTime(edge.Process.Id) - before).TotalMicroseconds / (run.RequestsPerSecond * seconds);
                results[name].Add((run.RequestsPerSecond, cpu, run.P99Ms));
            }

            var (ra, rb) = (results["A"][^1], results["B"][^1]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {round + 1} | {ra.Rps:F0} | {ra.Cpu:F1} | {ra.P99:F2} | {rb.Rps:F0} | {rb.Cpu:F1} | {rb.P99:F2} |"));
        }

        double Median(string name, Func<(double Rps, double Cpu, double P99), double> value) => Percentiles.Of([.. results[name].Select(value)], 50);
        var won = results["A"].Zip(results["B"]).Count(p => p.Second.Rps > p.First.Rps);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| median | {Median("A", r => r.Rps):F0} | {Median("A", r => r.Cpu):F1} | {Median("A", r => r.P99):F2} | {Median("B", r => r.Rps):F0} | {Median("B", r => r.Cpu):F1} | {Median("B", r => r.P99):F2} |"));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"B / A: throughput {Median("B", r => r.Rps) / Median("A", r => r.Rps):F3}, CPU µs per request {Median("B", r => r.Cpu) - Median("A", r => r.Cpu):+0.0;-0.0}; B faster in {won} of {rounds} pairs"));
        // What a memory knob costs: each edge's resident set at its peak (under load) and now.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RSS peak / now, MiB: A {ProcessStats.MemoryMiB(a.Process.Id, "VmHWM"):F0} / {ProcessStats.MemoryMiB(a.Process.Id, "VmRSS"):F0}, B {ProcessStats.MemoryMiB(b.Process.Id, "VmHWM"):F0} / {ProcessStats.MemoryMiB(b.Process.Id, "VmRSS"):F0}"));
    }
}
