using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>
/// What metering costs per proxied request: two edges on one silo, one metering and one with
/// <c>Turnpike:Metering:Enabled=false</c>, driven by wrk in alternating rounds; each edge's CPU time
/// (from /proc) over the requests it served.
/// </summary>
internal static class MeteringBenchmark
{
    public static async Task RunAsync(int rounds, int seconds, int connections)
    {
        await using var upstream = await UpstreamServer.StartAsync();
        await using var silo = await SiloNode.StartAsync();
        await using var metered = await EdgeNode.StartClientAsync([silo]);
        await using var unmetered = await EdgeNode.StartClientAsync([silo], extraEnvironment: new() { ["Turnpike__Metering__Enabled"] = "false" });
        await metered.Admin.CreateAsync("/services", new { name = "plain", url = upstream.Url });
        await metered.Admin.CreateAsync("/services/plain/routes", new { paths = new[] { "/plain" } });
        foreach (var edge in new[] { metered, unmetered })
        {
            using var ready = await edge.Proxy.EventuallyAsync("/plain", r => r.IsSuccessStatusCode);
            await Wrk.RunAsync($"http://127.0.0.1:{edge.ProxyPort}/plain", connections, TimeSpan.FromSeconds(2));
        }

        var on = new List<double>();
        var off = new List<double>();
        var onRps = new List<double>();
        var offRps = new List<double>();
        for (var i = 0; i < rounds; i++)
        {
            foreach (var (edge, costs, rates) in new[] { (metered, on, onRps), (unmetered, off, offRps) })
            {
                var cpu = ProcessStats.CpuTime(edge.Process.Id);
                var run = await Wrk.RunAsync($"http://127.0.0.1:{edge.ProxyPort}/plain", connections, TimeSpan.FromSeconds(seconds));
                var used = ProcessStats.CpuTime(edge.Process.Id) - cpu;
                costs.Add(used.TotalMicroseconds / (run.RequestsPerSecond * seconds));
                rates.Add(run.RequestsPerSecond);
            }

            Console.WriteLine($"round {i + 1}: metering {on[^1]:F1} µs CPU/request ({onRps[^1]:F0}/s), without {off[^1]:F1} µs ({offRps[^1]:F0}/s)");
        }

        double Median(List<double> values) => Percentiles.Of(values, 50);

        // Rounds run back to back, so each round's pair shares the machine's mood: compare within pairs.
        var paired = on.Zip(off, (a, b) => ((a / b) - 1) * 100).ToList();
        Console.WriteLine($"edge CPU per request (median of {rounds}): metering {Median(on):F1} µs, without {Median(off):F1} µs; throughput {Median(onRps):F0}/s vs {Median(offRps):F0}/s");
        Console.WriteLine($"metering adds {Median(paired):F1} % CPU per request (median of the rounds' pairs, which range {paired.Min():F1} to {paired.Max():F1} %; goal < 2 %)");

        // The recording itself, in process and repeatable: what each proxied request pays on the hot path.
        var recorder = new Turnpike.Edge.Metering.MeterRecorder(TimeProvider.System);
        var (consumer, serviceId, route) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        const int Calls = 2_000_000;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < Calls; i++)
        {
            recorder.Record(consumer, serviceId, route, 200, rejected: false, 0, 512, 1, null);
        }

        var ns = clock.Elapsed.TotalNanoseconds / Calls;
        Console.WriteLine($"MeterRecorder.Record: {ns:F0} ns per request, {ns / 1000 / Median(off) * 100:F2} % of the edge's CPU per request without metering");
    }
}
