using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Turnpike.Metering;
using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>
/// A billing export of many consumers over 24 hours: meters are written straight into the meter grains (as
/// edges' batches would be), then <c>/billing/export</c> is read to the end. Reports the time, the size, and
/// the edge's peak memory before and after, which stays bounded because the export holds one hour at a time.
/// </summary>
internal static class ExportBenchmark
{
    public static async Task RunAsync(int consumers, int hours)
    {
        await using var silo = await SiloNode.StartAsync();
        await using var edge = await EdgeNode.StartClientAsync([silo]);
        using var client = Host.CreateDefaultBuilder()
            .UseOrleansClient(c => c.UseLocalhostClustering(silo.GatewayPort, serviceId: "turnpike", clusterId: "turnpike"))
            .Build();
        await client.StartAsync();
        var grains = client.Services.GetRequiredService<IGrainFactory>();

        var service = Guid.NewGuid();
        var ids = Enumerable.Range(0, consumers).Select(_ => Guid.NewGuid()).ToLookup(MeterGrainKeys.ShardOf);
        var firstHour = MeterGrainKeys.HourOf(DateTimeOffset.UtcNow.ToUnixTimeSeconds()) - (hours * 3600L);
        var load = Stopwatch.StartNew();
        long sequence = 0;
        for (var h = 0; h < hours; h++)
        {
            var hour = firstHour + (h * 3600L);
            await Task.WhenAll(Enumerable.Range(0, MeterGrainKeys.Shards).Select(shard => grains.GetGrain<IMeterGrain>(MeterGrainKeys.Key(hour, shard)).Apply(new MeterBatch
            {
                EdgeInstance = "bench",
                Sequence = Interlocked.Increment(ref sequence),
                Entries = [.. ids[shard].Select(id => new MeterEntry
                {
                    ConsumerId = id, ServiceId = service, RouteId = service, Hour = hour,
                    Counters = new MeterCounters { Requests = 100, BytesIn = 1_000, BytesOut = 50_000, UpstreamLatencyMsSum = 700, StatusClasses = [0, 98, 0, 2, 0] },
                })],
            })));
        }

        Console.WriteLine($"loaded {consumers} consumers x {hours} hours ({(long)consumers * hours} rows) in {load.Elapsed.TotalSeconds:F1} s");
        var before = ProcessStats.MemoryMiB(edge.Process.Id, "VmHWM");
        var clock = Stopwatch.StartNew();
        using var response = await edge.Admin.GetAsync($"/billing/export?format=csv&from={firstHour}&to={firstHour + (hours * 3600L)}", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[1 << 16];
        long bytes = 0, lines = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            bytes += read;
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }

        var after = ProcessStats.MemoryMiB(edge.Process.Id, "VmHWM");
        Console.WriteLine($"export: {lines - 1} rows, {bytes / 1048576.0:F0} MiB of CSV in {clock.Elapsed.TotalSeconds:F1} s " +
            $"({(lines - 1) / clock.Elapsed.TotalSeconds:F0} rows/s); edge peak memory {before:F0} MiB before, {after:F0} MiB after");
        await client.StopAsync();
    }
}
