using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>
/// A table of N services and N routes built through the admin API of one edge (a silo and an edge process):
/// admin create latency, the edge's memory, and how long one change takes to reach an edge at that size.
/// </summary>
internal static class ScaleBenchmark
{
    public static async Task RunAsync(int count)
    {
        await using var silo = await SiloNode.StartAsync();
        await using var edge = await EdgeNode.StartClientAsync([silo]);
        var baseMemory = await WorkingSetAsync(edge);
        var creates = new List<double>(count * 2);
        var total = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            creates.Add(await TimeAsync(() => edge.Admin.PostAsync("/services", Form(("name", $"s{i}"), ("url", $"http://127.0.0.1:9/{i}")))));
            creates.Add(await TimeAsync(() => edge.Admin.PostAsync($"/services/s{i}/routes", Form(("name", $"r{i}"), ("paths[]", $"/s{i}/")))));
            if ((i + 1) % 5000 == 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {i + 1} services and routes, {total.Elapsed.TotalSeconds:F0} s, recent create p99 {Percentiles.Of(creates.TakeLast(2000).ToList(), 99):F2} ms"));
            }
        }

        Console.WriteLine($"admin create ({count} services + {count} routes, sequential): {Percentiles.Summary(creates)}");
        await Task.Delay(3000);
        GC.Collect();
        var memory = await WorkingSetAsync(edge);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"edge working set: {memory / 1048576.0:F0} MiB with the table, {baseMemory / 1048576.0:F0} MiB empty"));

        var propagation = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await edge.Admin.PatchAsync($"/routes/r{i}", Form(("regex_priority", $"{i + 1}")));
            var version = long.Parse(response.Headers.GetValues("X-Turnpike-Config-Version").Single(), CultureInfo.InvariantCulture);
            while (await edge.ConfigVersionAsync() < version)
            {
                await Task.Delay(1);
            }

            propagation.Add(clock.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine($"one change at this size until the edge serves it: {Percentiles.Summary(propagation)}");
        var (prefix, host) = MatchingBenchmark.Measure(count);
        var (prefixSmall, _) = MatchingBenchmark.Measure(100);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"matching: {prefix:F1} ns/request prefix, {host:F1} ns/request host+prefix at {count} routes; ratio to 100 routes {prefix / prefixSmall:F2}"));
        var (full, change) = MatchingBenchmark.IndexCost(count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"matcher indexing at {count} routes: whole table {full:F1} ms, one change {change:F3} ms"));
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) => new(fields.Select(f => KeyValuePair.Create(f.Key, f.Value)));

    private static async Task<double> TimeAsync(Func<Task<HttpResponseMessage>> send)
    {
        var clock = Stopwatch.StartNew();
        using var response = await send();
        var elapsed = clock.Elapsed.TotalMilliseconds;
        return response.IsSuccessStatusCode ? elapsed : throw new InvalidOperationException($"admin write failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<long> WorkingSetAsync(EdgeNode edge) =>
        (await edge.Status.GetFromJsonAsync<JsonObject>("/status"))!["memory"]!["working_set_bytes"]!.GetValue<long>();
}
