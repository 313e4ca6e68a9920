using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>
/// As many edge processes as asked for (the large-fleet profile of infra/deploy/large-fleet.env unless
/// <c>--profile shipped</c>) against a few silos on a private Redis (membership and storage, so any silo may die).
/// Reports memory and idle CPU per edge, silo CPU, propagation of writes to every edge from the edges' own
/// "applied at" timestamps, and recovery after the silo holding the route table is killed and started again.
/// </summary>
internal static class FleetBenchmark
{
    /// <param name="overrides">Extra edge environment variables (<c>--env KEY=VALUE</c>), to compare settings.</param>
    public static async Task RunAsync(int edgeCount, int siloCount, int writes, bool shipped, IReadOnlyList<string> overrides)
    {
        var profile = shipped ? EdgeNode.AsShipped() : ReadProfile(Path.Combine(RepoPaths.Root, "infra", "deploy", "large-fleet.env"));
        profile["Logging__LogLevel__Default"] = "Warning";
        foreach (var setting in overrides.Select(o => o.Split('=', 2)))
        {
            profile[setting[0]] = setting[1];
        }

        Console.WriteLine($"fleet: {edgeCount} edges, {siloCount} silos, profile {(shipped ? "as shipped" : "large-fleet")}{(overrides.Count > 0 ? " with " + string.Join(' ', overrides) : "")}, {Environment.ProcessorCount} cores");

        await using var redis = await DatabaseServer.StartRedisAsync();
        var backend = ClusterBackend.Redis(redis);
        await using var upstream = await UpstreamServer.StartAsync();
        var silos = new List<SiloNode>();
        var edges = new List<EdgeNode>();
        try
        {
            for (var i = 0; i < siloCount; i++)
            {
                silos.Add(await SiloNode.StartAsync(backend: backend));
            }

            var startClock = Stopwatch.StartNew();
            foreach (var batch in Enumerable.Range(0, edgeCount).Chunk(Environment.ProcessorCount * 2))
            {
                edges.AddRange(await Task.WhenAll(batch.Select(_ => EdgeNode.StartClientAsync(backend, pollInterval: ProfilePoll(profile), extraEnvironment: profile))));
            }

            Console.WriteLine($"started {edges.Count} edges in {startClock.Elapsed.TotalSeconds:F0} s");
            var admin = edges[0].Admin;
            await admin.CreateAsync("/services", new { name = "fleet", url = upstream.Url });
            var first = await WriteRouteAsync(admin, "/r0", TimeSpan.FromSeconds(30));
            await WaitForAllAsync(edges, first.Version, TimeSpan.FromSeconds(120));

            // Idle: nothing but the edges' own timers and the silos' upkeep.
            await Task.Delay(TimeSpan.FromSeconds(20));
            var cpu = await CpuOverAsync([.. edges.Select(e => e.Process.Id), .. silos.Select(s => s.Process.Id)], TimeSpan.FromSeconds(30));
            var edgeCpu = cpu.Take(edges.Count).ToList();
            var siloCpu = cpu.Skip(edges.Count).ToList();
            var memory = edges.Select(e => Memory(e.Process.Id)).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"idle edge CPU: mean {edgeCpu.Average():F3} % of a core, median {Percentiles.Of(edgeCpu, 50):F3} %, max {edgeCpu.Max():F3} %; whole fleet {edgeCpu.Sum():F1} % of a core"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"idle silo CPU: {string.Join(", ", siloCpu.Select(c => c.ToString("F2", CultureInfo.InvariantCulture) + " %"))}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"edge memory: RSS median {Percentiles.Of(memory.Select(m => m.Rss).ToList(), 50):F1} MiB (max {memory.Max(m => m.Rss):F1}), PSS median {Percentiles.Of(memory.Select(m => m.Pss).ToList(), 50):F1} MiB (sum over the fleet {memory.Sum(m => m.Pss) / 1024:F2} GiB)"));

            // Propagation: one write at a time; each edge's own timestamp of applying it, against when it was sent.
            var propagation = new List<double>();
            var acks = new List<double>();
            var siloBefore = silos.Select(s => ProcessStats.CpuTime(s.Process.Id)).ToArray();
            var applying = 0.0;
            var writeClock = Stopwatch.StartNew();
            for (var i = 1; i <= writes; i++)
            {
                var edgesBefore = edges.Sum(e => ProcessStats.CpuTime(e.Process.Id).TotalSeconds);
                var faultsBefore = edges.Sum(e => ProcessStats.MajorFaults(e.Process.Id));
                var between = Stopwatch.StartNew();
                var sent = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                var write = await WriteRouteAsync(admin, $"/r{i}", TimeSpan.FromSeconds(30));
                acks.Add(write.Elapsed.TotalMilliseconds);
                await Task.Delay(TimeSpan.FromSeconds(1.5));

                // Before the edges are asked for their /status (which costs them CPU too): what applying cost them.
                var spent = edges.Sum(e => ProcessStats.CpuTime(e.Process.Id).TotalSeconds) - edgesBefore - (edgeCpu.Sum() / 100 * between.Elapsed.TotalSeconds);
                applying += spent;
                var faults = edges.Sum(e => ProcessStats.MajorFaults(e.Process.Id)) - faultsBefore;
                var applied = await WaitForAllAsync(edges, write.Version, TimeSpan.FromSeconds(60));
                var reached = applied.Select(at => (double)(at - sent)).ToList();
                propagation.AddRange(reached);
                // Per write, so a tail can be told apart: a few slow writes, or a few slow edges on every write.
                var slowest = reached.IndexOf(reached.Max());
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  write {i}: acknowledged {write.Elapsed.TotalMilliseconds:F0} ms; every edge {Percentiles.Of(reached, 50):F0} ms median, {Percentiles.Of(reached, 99):F0} ms p99, {reached.Max():F0} ms last (edge {slowest}); the fleet's CPU {spent * 1000:F0} ms, {faults} major page faults"));
            }

            var siloWriteCpu = silos.Select((s, i) => (ProcessStats.CpuTime(s.Process.Id) - siloBefore[i]).TotalSeconds / writeClock.Elapsed.TotalSeconds * 100).ToList();
            // What applying a change costs an edge: its CPU over the writes, less what it spends idle, per write.
            var perChange = applying / writes / edges.Count;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"edge CPU per applied change: {perChange * 1000:F2} ms (the fleet: {perChange * edges.Count * 1000:F0} ms of machine time per write)"));
            Console.WriteLine($"write acknowledged: {Percentiles.Summary(acks)}");
            Console.WriteLine($"propagation to every edge (edge's applied-at minus write sent): {Percentiles.Summary(propagation)}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"silo CPU during the writes (one every ~1.5 s): {string.Join(", ", siloWriteCpu.Select(c => c.ToString("F1", CultureInfo.InvariantCulture) + " %"))}"));

            await KillRouteTableSiloAsync(silos, edges, admin);
        }
        finally
        {
            foreach (var edge in edges)
            {
                await edge.DisposeAsync();
            }

            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    private static async Task KillRouteTableSiloAsync(List<SiloNode> silos, List<EdgeNode> edges, HttpClient admin)
    {
        var index = -1;
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            for (var i = 0; i < silos.Count && index < 0; i++)
            {
                var answer = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{silos[i].StatusPort}/status/route-table"))!;
                if (answer["here"]!.GetValue<bool>())
                {
                    index = i;
                }
            }
        }

        if (index < 0)
        {
            Console.WriteLine("recovery: the route table is active on no silo; skipped");
            return;
        }

        var edgeCpuBefore = edges.Sum(e => ProcessStats.CpuTime(e.Process.Id).TotalSeconds);
        var others = silos.Where((_, i) => i != index).ToList();
        var othersBefore = others.Sum(s => ProcessStats.CpuTime(s.Process.Id).TotalSeconds);
        var killedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var clock = Stopwatch.StartNew();
        silos[index].Process.Kill();
        var restarting = silos[index].RestartAsync();

        // Writes are attempted until one is acknowledged: when the cluster takes writes again.
        (long Version, TimeSpan Elapsed)? write = null;
        var attempts = 0;
        while (write is null)
        {
            attempts++;
            try
            {
                write = await WriteRouteAsync(admin, $"/after-kill-{attempts}", TimeSpan.FromSeconds(5));
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                await Task.Delay(250);
            }
        }

        var writable = clock.Elapsed;
        var restarted = await restarting;
        var restartCpuFrom = ProcessStats.CpuTime(restarted.Process.Id);
        silos[index] = restarted;
        var applied = await WaitForAllAsync(edges, write.Value.Version, TimeSpan.FromSeconds(180));
        var allServing = TimeSpan.FromMilliseconds(applied.Max() - killedAt);
        var recovery = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"recovery after kill -9 of the silo holding the route table (restarted at once): a write acknowledged {writable.TotalSeconds:F1} s after the kill ({attempts} attempts), every edge serving it {allServing.TotalSeconds:F1} s after the kill"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"CPU over those {recovery:F0} s: restarted silo {ProcessStats.CpuTime(restarted.Process.Id).TotalSeconds:F1} s (of which {restartCpuFrom.TotalSeconds:F1} s to start), other silos {others.Sum(s => ProcessStats.CpuTime(s.Process.Id).TotalSeconds) - othersBefore:F1} s, all edges {edges.Sum(e => ProcessStats.CpuTime(e.Process.Id).TotalSeconds) - edgeCpuBefore:F1} s ({(edges.Sum(e => ProcessStats.CpuTime(e.Process.Id).TotalSeconds) - edgeCpuBefore) / recovery * 100 / edges.Count:F2} % of a core per edge)"));
    }

    private static async Task<(long Version, TimeSpan Elapsed)> WriteRouteAsync(HttpClient admin, string path, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var clock = Stopwatch.StartNew();
        using var response = await admin.PostAsync("/services/fleet/routes", new FormUrlEncodedContent([KeyValuePair.Create("paths[]", path)]), cancel.Token);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"write answered {(int)response.StatusCode}");
        }

        return (long.Parse(response.Headers.GetValues("X-Turnpike-Config-Version").Single(), CultureInfo.InvariantCulture), clock.Elapsed);
    }

    /// <summary>Waits until every edge serves <paramref name="version"/> or later; returns when each applied the version it has (Unix ms, its own clock).</summary>
    private static async Task<long[]> WaitForAllAsync(List<EdgeNode> edges, long version, TimeSpan timeout)
    {
        var appliedAt = new long[edges.Count];
        var clock = Stopwatch.StartNew();
        var pending = Enumerable.Range(0, edges.Count).ToList();
        while (pending.Count > 0)
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{pending.Count} edges not on version {version} within {timeout}");
            }

            var done = new System.Collections.Concurrent.ConcurrentBag<int>();
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, token) =>
            {
                try
                {
                    var status = JsonNode.Parse(await edges[i].Status.GetStringAsync("/status", token))!;
                    if (status["configuration_version"]!.GetValue<long>() >= version)
                    {
                        appliedAt[i] = status["configuration_applied_at_ms"]!.GetValue<long>();
                        done.Add(i);
                    }
                }
                catch (HttpRequestException)
                {
                }
            });
            pending.RemoveAll(done.Contains);
            if (pending.Count > 0)
            {
                await Task.Delay(250);
            }
        }

        return appliedAt;
    }

    /// <summary>Each process's CPU over <paramref name="window"/>, in % of a core.</summary>
    private static async Task<List<double>> CpuOverAsync(int[] pids, TimeSpan window)
    {
        var before = pids.Select(ProcessStats.CpuTime).ToArray();
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        var elapsed = clock.Elapsed;
        return [.. pids.Select((p, i) => (ProcessStats.CpuTime(p) - before[i]).TotalSeconds / elapsed.TotalSeconds * 100)];
    }

    private static (double Rss, double Pss) Memory(int pid)
    {
        double Field(string name) => long.Parse(File.ReadLines($"/proc/{pid}/smaps_rollup").First(l => l.StartsWith(name + ":", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        return (Field("Rss"), Field("Pss"));
    }

    private static Dictionary<string, string> ReadProfile(string file) => File.ReadLines(file)
        .Select(l => l.Trim())
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .Select(l => l.Split('=', 2))
        .ToDictionary(p => p[0], p => p[1]);

    private static TimeSpan? ProfilePoll(Dictionary<string, string> profile) =>
        profile.TryGetValue("Turnpike__Sync__PollInterval", out var poll) ? TimeSpan.Parse(poll, CultureInfo.InvariantCulture) : null;
}
