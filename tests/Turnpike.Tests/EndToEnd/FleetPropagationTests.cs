using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>
/// Twenty edge processes on one silo take a burst of 200 admin writes: each applies versions in order (never one
/// older than it has), and all end on the last write's version with the same table digest, routing every write.
/// </summary>
public sealed partial class FleetPropagationTests
{
    private const int EdgeCount = 20;
    private const int Writes = 200;

    // The large-fleet profile's process settings (docs/operations.md), so twenty edges start quickly on a small machine.
    private static readonly Dictionary<string, string> EdgeSettings = new()
    {
        ["DOTNET_TieredPGO"] = "0",
        ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0",
        ["Logging__LogLevel__Turnpike.Edge.RouteTable.RouteTableSync"] = "Information",
    };

    [Fact]
    public async Task Twenty_edges_apply_a_burst_of_200_writes_in_order_and_end_on_the_same_version_and_table_hash()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        await using var silo = await SiloNode.StartAsync();
        var edges = new List<EdgeNode>();
        try
        {
            foreach (var batch in Enumerable.Range(0, EdgeCount).Chunk(5))
            {
                edges.AddRange(await Task.WhenAll(batch.Select(_ => EdgeNode.StartClientAsync([silo], extraEnvironment: EdgeSettings))));
            }

            var writer = edges[0].Admin;
            Assert.Equal(201, (await writer.PostJsonAsync("/services", new { name = "fleet", url = upstream.Url })).Status);
            long last = 0;
            for (var i = 1; i < Writes; i++)
            {
                using var created = await writer.PostAsync("/services/fleet/routes", new FormUrlEncodedContent([KeyValuePair.Create("paths[]", $"/r{i}")]));
                Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
                last = long.Parse(created.Headers.GetValues("X-Turnpike-Config-Version").Single(), CultureInfo.InvariantCulture);
            }

            await Poll.UntilAsync(async () => (await Task.WhenAll(edges.Select(e => e.ConfigVersionAsync()))).All(v => v == last), TimeSpan.FromSeconds(30), "every edge on the last version");

            var statuses = await Task.WhenAll(edges.Select(e => e.Status.GetJsonAsync("/status")));
            var hashes = statuses.Select(s => s.Body!["configuration_hash"]!.GetValue<string>()).ToHashSet();
            var hash = Assert.Single(hashes);
            Assert.Matches("^[0-9a-f]{32}$", hash);
            foreach (var edge in edges)
            {
                var applied = AppliedVersion().Matches(edge.Process.Output).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
                Assert.True(applied.Zip(applied.Skip(1)).All(p => p.Second > p.First), "versions applied out of order: " + string.Join(',', applied));
                Assert.Equal(last, applied[^1]);
                foreach (var path in new[] { "/r1", $"/r{Writes / 2}", $"/r{Writes - 1}" })
                {
                    using var response = await edge.Proxy.GetAsync(path);
                    Assert.True(response.IsSuccessStatusCode, $"{path} on an edge answered {(int)response.StatusCode}");
                }
            }
        }
        finally
        {
            foreach (var edge in edges)
            {
                await edge.DisposeAsync();
            }
        }
    }

    [GeneratedRegex(@"Applied route table version (\d+)")]
    private static partial Regex AppliedVersion();
}
