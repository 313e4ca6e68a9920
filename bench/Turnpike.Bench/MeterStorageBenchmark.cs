using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Turnpike.Edge.Hosting;
using Turnpike.Metering;
using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>
/// What storing meters costs PostgreSQL: a silo on a private PostgreSQL takes a batch per second per shard from each of
/// several simulated edges (sent straight to the meter grains, as edges' flushers do), for consumers spread over the
/// edges. Reports per batch the storage writes (the sum of the rows' versions: each write adds one), the WAL bytes
/// PostgreSQL wrote and the silo's CPU time, and how many batches a second were stored (the offer is one per shard and
/// edge each second; a slower store falls behind). With <c>--baseline</c> (another build's silo) rounds alternate between the two
/// silos on the same database server, each round on a fresh service id, and the ratios are printed.
/// </summary>
internal static class MeterStorageBenchmark
{
    private sealed record Round(double WritesPerBatch, double WalKiBPerBatch, double SiloCpuMsPerBatch, double BatchesPerSecond);

    public static async Task RunAsync(int rounds, int seconds, int consumers, int active, int edges, string? baselineSilo)
    {
        await using var database = await DatabaseServer.StartPostgresAsync();
        var ids = Enumerable.Range(0, consumers).Select(_ => Guid.NewGuid()).ToArray();
        var current = new List<Round>();
        var baseline = new List<Round>();
        for (var i = 0; i < rounds; i++)
        {
            foreach (var (silo, results, name) in new[] { (baselineSilo, baseline, "baseline"), (null, current, "this build") })
            {
                if (name == "baseline" && silo is null)
                {
                    continue;
                }

                var round = await RoundAsync(database, silo, ids, seconds, active, edges);
                results.Add(round);
                Console.WriteLine($"round {i + 1}, {name}: per batch {round.WritesPerBatch:F2} storage writes, {round.WalKiBPerBatch:F1} KiB of WAL, " +
                    $"{round.SiloCpuMsPerBatch:F1} ms of silo CPU; {round.BatchesPerSecond:F1} batches/s stored (offered {edges * MeterGrainKeys.Shards})");
            }
        }

        static double Median(IEnumerable<double> values) => Percentiles.Of([.. values], 50);
        Console.WriteLine($"{consumers} consumers, {active} active per second, {edges} edges, a batch per shard per edge per second ({edges * MeterGrainKeys.Shards} batches/s), medians of {rounds} rounds:");
        Print("this build", current);
        if (baseline.Count > 0)
        {
            Print("baseline", baseline);
            Console.WriteLine($"this build / baseline, per batch: storage writes {Ratio(r => r.WritesPerBatch):F2}, WAL bytes {Ratio(r => r.WalKiBPerBatch):F3}, " +
                $"silo CPU {Ratio(r => r.SiloCpuMsPerBatch):F2}; batches stored per second {Ratio(r => r.BatchesPerSecond):F2}");
        }

        double Ratio(Func<Round, double> figure) => Median(current.Select(figure)) / Median(baseline.Select(figure));

        void Print(string name, List<Round> results) => Console.WriteLine(
            $"  {name}: per batch {Median(results.Select(r => r.WritesPerBatch)):F2} storage writes, {Median(results.Select(r => r.WalKiBPerBatch)):F1} KiB of WAL, " +
            $"{Median(results.Select(r => r.SiloCpuMsPerBatch)):F1} ms of silo CPU; {Median(results.Select(r => r.BatchesPerSecond)):F1} batches/s stored");
    }

    private static async Task<Round> RoundAsync(DatabaseServer database, string? siloDll, Guid[] ids, int seconds, int active, int edges)
    {
        var backend = ClusterBackend.Postgres(database);
        await using var silo = await SiloNode.StartAsync(backend: backend, siloDll: siloDll);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(backend.Environment.Select(kv => KeyValuePair.Create(kv.Key.Replace("__", ":", StringComparison.Ordinal), (string?)kv.Value)));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client => client.UseTurnpikeCluster(builder.Configuration));
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var serviceId = backend.Environment["Turnpike__Cluster__ServiceId"];
        var service = Guid.NewGuid();
        var hour = MeterGrainKeys.HourOf(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        long tick = 0;

        // Each second every edge sends each shard one batch: the consumers active that second, each on one edge.
        async Task SecondAsync()
        {
            var second = tick++;
            var start = (int)(second * active % ids.Length);
            var sends = new List<Task>();
            for (var edge = 0; edge < edges; edge++)
            {
                var mine = Enumerable.Range(0, active).Select(i => ids[(start + i) % ids.Length]).Where((_, i) => i % edges == edge);
                foreach (var shard in mine.GroupBy(MeterGrainKeys.ShardOf))
                {
                    sends.Add(grains.GetGrain<IMeterGrain>(MeterGrainKeys.Key(hour, shard.Key)).Apply(new MeterBatch
                    {
                        EdgeInstance = $"bench-edge-{edge}",
                        Sequence = second + 1,
                        Entries = [.. shard.Select(id => new MeterEntry
                        {
                            ConsumerId = id, ServiceId = service, RouteId = service, Hour = hour,
                            Counters = new MeterCounters { Requests = 1, BytesIn = 200, BytesOut = 2_000, UpstreamLatencyMsSum = 7, StatusClasses = [0, 1, 0, 0, 0] },
                        })],
                    }));
                }
            }

            await Task.WhenAll(sends);
        }

        // Warm up until every consumer has its row: the steady state of an hour, where the whole-shard cost shows.
        for (var filled = 0L; filled < ids.Length; filled += active)
        {
            await SecondAsync();
        }

        await using var sql = new NpgsqlConnection(database.ConnectionString);
        await sql.OpenAsync();
        var (writes, wal) = await CountersAsync(sql, serviceId);
        var cpu = ProcessStats.CpuTime(silo.Process.Id);
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        for (var i = 0; i < seconds; i++)
        {
            await SecondAsync();
            await timer.WaitForNextTickAsync(); // at most a batch a second, as edges flush; a slower store runs behind
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        var used = ProcessStats.CpuTime(silo.Process.Id) - cpu;
        var (writesAfter, walAfter) = await CountersAsync(sql, serviceId);
        await host.StopAsync();
        var batches = (double)seconds * edges * MeterGrainKeys.Shards;
        return new((writesAfter - writes) / batches, (walAfter - wal) / 1024.0 / batches, used.TotalMilliseconds / batches, batches / elapsed);
    }

    /// <summary>Storage writes so far (each write adds one to its row's version; a first write makes it 1) and the WAL position.</summary>
    private static async Task<(long Writes, long WalBytes)> CountersAsync(NpgsqlConnection sql, string serviceId)
    {
        await using var command = new NpgsqlCommand(
            "SELECT COALESCE(SUM(version), 0)::bigint, pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint FROM orleansstorage WHERE serviceid = @service", sql);
        command.Parameters.AddWithValue("service", serviceId);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
