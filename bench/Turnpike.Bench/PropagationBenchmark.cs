using System.Diagnostics;
using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>
/// Time from an admin write (acknowledged by one edge) until every edge serves that config version:
/// one silo and N edge processes on loopback.
/// </summary>
internal static class PropagationBenchmark
{
    public static async Task RunAsync(int edges, int changes)
    {
        await using var upstream = await UpstreamServer.StartAsync();
        await using var silo = await SiloNode.StartAsync();
        var nodes = await Task.WhenAll(Enumerable.Range(0, edges).Select(_ => EdgeNode.StartClientAsync([silo])));
        try
        {
            var samples = new List<double>();
            for (var i = 0; i < changes; i++)
            {
                var writer = nodes[i % nodes.Length];
                var clock = Stopwatch.StartNew();
                using var response = await writer.Admin.PostAsync("/services", new FormUrlEncodedContent([
                    KeyValuePair.Create("name", $"prop-{i}"), KeyValuePair.Create("url", upstream.Url)]));
                var version = long.Parse(response.Headers.GetValues("X-Turnpike-Config-Version").Single(), System.Globalization.CultureInfo.InvariantCulture);
                await Task.WhenAll(nodes.Select(n => WaitForVersionAsync(n, version)));
                samples.Add(clock.Elapsed.TotalMilliseconds);
            }

            Console.WriteLine($"propagation to {edges} edges (write through one edge until all serve it): {Percentiles.Summary(samples)}");
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
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
