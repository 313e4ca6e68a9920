using System.Diagnostics;
using System.Net.Http.Json;
using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>
/// Propagation across regions: three regions (us the home, eu, ap; a silo with memory storage and two edges each), every
/// pair joined through a delay proxy of the given one-way latency. Each write goes through an edge of a region in turn
/// (two of three are not the home, so they are forwarded); measured from sending it until all six edges serve its
/// version, after one write through each edge (printed, not counted). The goal is the inter-region round trip plus
/// 250 ms at p99. Each region's time is from its edges' own applied-at times, and the slowest writes are listed.
/// </summary>
internal static class RegionsBenchmark
{
    private const string Secret = "bench-link-secret-0123456789abcdef-0123";
    private static readonly string[] Names = ["us", "eu", "ap"];

    public static async Task RunAsync(int[] oneWayMs, int writes)
    {
        foreach (var oneWay in oneWayMs)
        {
            await RunAsync(TimeSpan.FromMilliseconds(oneWay), writes);
        }
    }

    private static async Task RunAsync(TimeSpan oneWay, int writes)
    {
        await using var upstream = await UpstreamServer.StartAsync();
        var links = Names.ToDictionary(n => n, _ => FreePorts.Next());
        var paths = new Dictionary<(string, string), DelayProxy>();
        foreach (var from in Names)
        {
            foreach (var to in Names.Where(n => n != from))
            {
                paths[(from, to)] = DelayProxy.Start(links[to], oneWay);
            }
        }

        Dictionary<string, string> Environment(string region, bool silo)
        {
            var environment = new Dictionary<string, string>
            {
                ["Turnpike__Region"] = region,
                ["Turnpike__Regions__Home"] = "us",
                ["Turnpike__Regions__Secret"] = Secret,
            };
            foreach (var peer in Names.Where(n => n != region))
            {
                environment[$"Turnpike__Regions__Peers__{peer}__Link"] = paths[(region, peer)].Url;
            }

            if (silo)
            {
                environment["Turnpike__Regions__Link__Urls"] = $"http://127.0.0.1:{links[region]}";
            }

            return environment;
        }

        var silos = await Task.WhenAll(Names.Select(n => SiloNode.StartAsync(extraEnvironment: Environment(n, silo: true))));
        var edges = new List<(string Region, EdgeNode Edge)>();
        try
        {
            for (var i = 0; i < Names.Length; i++)
            {
                foreach (var edge in await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => EdgeNode.StartClientAsync([silos[i]], extraEnvironment: Environment(Names[i], silo: false)))))
                {
                    edges.Add((Names[i], edge));
                }
            }

            var samples = new List<double>();
            var answered = new List<double>();
            var byRegion = Names.ToDictionary(n => n, _ => new List<double>());
            var slowest = new List<(double Ms, string Line)>();
            for (var i = 0; i < writes; i++)
            {
                var (writerRegion, writer) = edges[i % edges.Count];
                var sentAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                var clock = Stopwatch.StartNew();
                using var response = await writer.Admin.PostAsync("/services", new FormUrlEncodedContent([
                    KeyValuePair.Create("name", $"region-prop-{oneWay.TotalMilliseconds}-{i}"), KeyValuePair.Create("url", upstream.Url)]));
                var answer = clock.Elapsed.TotalMilliseconds;
                var version = long.Parse(response.Headers.GetValues("X-Turnpike-Config-Version").Single(), System.Globalization.CultureInfo.InvariantCulture);
                await Task.WhenAll(edges.Select(e => WaitForVersionAsync(e.Edge, version)));
                var all = clock.Elapsed.TotalMilliseconds;

                // Where the time went: when each edge applied the version, by its own clock (one machine, one clock).
                var applied = await Task.WhenAll(edges.Select(async e => (e.Region, Ms: (await e.Edge.Status.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/status"))!["configuration_applied_at_ms"]!.GetValue<long>() - sentAt)));
                if (i < edges.Count)
                {
                    // The first write through each edge is its first admin write (its admin path still being compiled) and
                    // opens its link connection: measured by 2026-12-01's run, these six were its six slowest writes.
                    Console.WriteLine($"  warm-up write {i} through {writerRegion}: answered {answer:F0} ms, all seen {all:F0} ms");
                    continue;
                }

                answered.Add(answer);
                samples.Add(all);
                foreach (var region in Names)
                {
                    byRegion[region].Add(applied.Where(a => a.Region == region).Max(a => a.Ms));
                }

                slowest.Add((all, $"write {i} through {writerRegion}: answered {answer:F0} ms; applied by " + string.Join(", ", Names.Select(n => $"{n} {applied.Where(a => a.Region == n).Min(a => a.Ms)}–{applied.Where(a => a.Region == n).Max(a => a.Ms)}")) + $" ms; all seen {all:F0} ms"));
            }

            var roundTrip = 2 * oneWay.TotalMilliseconds;
            Console.WriteLine($"regions, {oneWay.TotalMilliseconds:0} ms one way ({roundTrip:0} ms round trip), 3 regions x 2 edges:");
            Console.WriteLine($"  write answered (read-your-writes in the writer's region): {Percentiles.Summary(answered)}");
            Console.WriteLine($"  served by all six edges: {Percentiles.Summary(samples)}; goal p99 < {roundTrip + 250:0} ms: p99/goal = {Percentiles.Of(samples, 99) / (roundTrip + 250):F2}");
            foreach (var region in Names)
            {
                Console.WriteLine($"  applied by both edges of {region} (their own clocks): {Percentiles.Summary(byRegion[region])}");
            }

            foreach (var (_, line) in slowest.OrderByDescending(s => s.Ms).Take(5))
            {
                Console.WriteLine("  slowest: " + line);
            }
        }
        finally
        {
            foreach (var (_, edge) in edges)
            {
                await edge.DisposeAsync();
            }

            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }

            foreach (var path in paths.Values)
            {
                await path.DisposeAsync();
            }
        }
    }

    private static async Task WaitForVersionAsync(EdgeNode node, long version)
    {
        while (await node.ConfigVersionAsync() < version)
        {
            await Task.Delay(1);
        }
    }
}
