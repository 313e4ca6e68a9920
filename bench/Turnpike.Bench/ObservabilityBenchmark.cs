using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>
/// What the observability plugins cost: one silo, one edge, the echo upstream; wrk in alternating rounds against a
/// route with no plugins, one whose service has <c>prometheus</c> with Kong's default switches (per_consumer off: only
/// the node's own series), one with the switches the dashboard needs (status codes, latencies, bandwidth; per_consumer
/// off) and one whose service has <c>http-log</c> posting to a local collector: nginx answering <c>return 200</c> in
/// its own process, so the figure is what the edge pays rather than what a collector in the same two cores pays to
/// parse the logs. Medians of requests/s and of the edge's CPU µs per request, and each set-up's throughput ratio to
/// the no-plugin route measured in the same run.
/// </summary>
internal static class ObservabilityBenchmark
{
    public static async Task RunAsync(int rounds, int seconds, int connections)
    {
        await using var upstream = await UpstreamServer.StartAsync();
        await using var collector = await NginxProcess.StartOriginAsync();
        await using var silo = await SiloNode.StartAsync();
        await using var edge = await EdgeNode.StartClientAsync([silo]);
        await edge.Admin.CreateAsync("/services", new { name = "plain", url = upstream.Url });
        await edge.Admin.CreateAsync("/services/plain/routes", new { paths = new[] { "/plain" } });
        await edge.Admin.CreateAsync("/services", new { name = "prom", url = upstream.Url });
        await edge.Admin.CreateAsync("/services/prom/plugins", new { name = "prometheus" });
        await edge.Admin.CreateAsync("/services/prom/routes", new { paths = new[] { "/prom" } });
        await edge.Admin.CreateAsync("/services", new { name = "dash", url = upstream.Url });
        await edge.Admin.CreateAsync("/services/dash/plugins", new { name = "prometheus", config = new { status_code_metrics = true, latency_metrics = true, bandwidth_metrics = true } });
        await edge.Admin.CreateAsync("/services/dash/routes", new { paths = new[] { "/dash" } });
        await edge.Admin.CreateAsync("/services", new { name = "logged", url = upstream.Url });
        await edge.Admin.CreateAsync("/services/logged/plugins", new { name = "http-log", config = new { http_endpoint = collector.Url + "/logs", queue = new { max_batch_size = 100, max_coalescing_delay = 0.2 } } });
        await edge.Admin.CreateAsync("/services/logged/routes", new { paths = new[] { "/logged" } });
        using (await edge.Proxy.EventuallyAsync("/logged", r => r.IsSuccessStatusCode))
        {
        }

        string[] setups = ["/plain", "/prom", "/dash", "/logged"];
        var rates = setups.ToDictionary(s => s, _ => new List<double>());
        var costs = setups.ToDictionary(s => s, _ => new List<double>());
        var bytes = setups.ToDictionary(s => s, _ => new List<double>());
        foreach (var setup in setups)
        {
            await Wrk.RunAsync($"http://127.0.0.1:{edge.ProxyPort}{setup}", connections, TimeSpan.FromSeconds(2));
        }

        for (var i = 0; i < rounds; i++)
        {
            // Each round starts with another set-up: none always follows http-log's last flush or a collection it caused.
            foreach (var setup in setups.Skip(i % setups.Length).Concat(setups.Take(i % setups.Length)))
            {
                var allocated = await edge.MetricAsync("turnpike_gc_allocated_bytes_total");
                var cpu = ProcessStats.CpuTime(edge.Process.Id);
                var run = await Wrk.RunAsync($"http://127.0.0.1:{edge.ProxyPort}{setup}", connections, TimeSpan.FromSeconds(seconds));
                var used = ProcessStats.CpuTime(edge.Process.Id) - cpu;
                rates[setup].Add(run.RequestsPerSecond);
                costs[setup].Add(used.TotalMicroseconds / Math.Max(1, run.RequestsPerSecond * seconds));
                bytes[setup].Add((await edge.MetricAsync("turnpike_gc_allocated_bytes_total") - allocated) / Math.Max(1, run.RequestsPerSecond * seconds));
            }

            Console.WriteLine($"round {i + 1}: " + string.Join(", ", setups.Select(s => $"{s} {rates[s][^1]:F0}/s {costs[s][^1]:F1} µs {bytes[s][^1]:F0} B")));
        }

        var baseline = Percentiles.Of(rates["/plain"], 50);
        Console.WriteLine($"| set-up | requests/s (median of {rounds}) | edge CPU µs/request | edge bytes allocated/request | ratio to no plugins |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var (setup, name) in new[] { ("/plain", "no plugins"), ("/prom", "prometheus (Kong's defaults)"), ("/dash", "prometheus (status codes, latencies, bandwidth)"), ("/logged", "http-log (nginx as the collector)") })
        {
            var rps = Percentiles.Of(rates[setup], 50);
            Console.WriteLine($"| {name} | {rps:F0} | {Percentiles.Of(costs[setup], 50):F1} | {Percentiles.Of(bytes[setup], 50):F0} | {rps / baseline:F3} |");
        }

        // What the queue did with the entries, as the edge counts them on /metrics.
        var metrics = await edge.Status.GetStringAsync("/metrics");
        double Counter(string name) => metrics.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.Contains("plugin=\"http-log\"", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        Console.WriteLine($"http-log entries sent: {Counter("turnpike_log_entries_sent_total"):F0}, dropped: {Counter("turnpike_log_entries_dropped_total"):F0} (goal: prometheus >= 0.95, http-log >= 0.90)");
    }
}
