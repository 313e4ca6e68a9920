using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Observability;

/// <summary>
/// A real Prometheus server scraping a cluster (two edges, one silo) every second: what it stores per service and
/// status code is what the test sent, summed over both edges.
/// </summary>
public sealed class PrometheusScrapeTests
{
    [Fact]
    public async Task Prometheus_scraping_two_edges_counts_exactly_the_requests_sent_per_service_and_status_code()
    {
        Assert.True(File.Exists(PrometheusServer.Program), "Prometheus is missing: run infra/install-servers.sh");
        await using var upstream = await UpstreamServer.StartAsync();
        await using var silo = await SiloNode.StartAsync();
        var edges = await Task.WhenAll(EdgeNode.StartClientAsync([silo]), EdgeNode.StartClientAsync([silo]));
        await using var edgeA = edges[0];
        await using var edgeB = edges[1];

        var admin = edgeA.Admin;
        await admin.CreateAsync("/services", new { name = "alpha", url = upstream.Url });
        await admin.CreateAsync("/services/alpha/routes", new { name = "alpha-route", paths = new[] { "/alpha" } });
        await admin.CreateAsync("/services", new { name = "beta", url = upstream.Url });
        await admin.CreateAsync("/services/beta/routes", new { name = "beta-route", paths = new[] { "/beta" } });
        await admin.CreateAsync("/routes/beta-route/plugins", new { name = "request-termination", config = new { status_code = 503 } });
        await admin.CreateAsync("/plugins", new { name = "prometheus", config = new { status_code_metrics = true, latency_metrics = true, bandwidth_metrics = true, upstream_health_metrics = true } });
        long version = 0;
        await Poll.UntilAsync(
            async () => (version = await edgeA.ConfigVersionAsync()) == await edgeB.ConfigVersionAsync() && await PrometheusEnabledAsync(edgeA) && await PrometheusEnabledAsync(edgeB),
            TimeSpan.FromSeconds(15),
            "the plugin on both edges");

        await using var prometheus = await PrometheusServer.StartAsync(
            ("turnpike-edge", [$"127.0.0.1:{edgeA.StatusPort}", $"127.0.0.1:{edgeB.StatusPort}"]),
            ("turnpike-silo", [$"127.0.0.1:{silo.StatusPort}"]));

        var sent = new Dictionary<(string Edge, string Path), int> { [("A", "/alpha")] = 7, [("A", "/beta")] = 3, [("B", "/alpha")] = 5, [("B", "/beta")] = 4 };
        foreach (var ((edge, path), count) in sent)
        {
            var client = edge == "A" ? edgeA.Proxy : edgeB.Proxy;
            for (var i = 0; i < count; i++)
            {
                using var response = await client.GetAsync(path);
                Assert.Equal(path == "/alpha" ? 200 : 503, (int)response.StatusCode);
            }
        }

        var expected = new Dictionary<string, double> { ["alpha 200 service"] = 12, ["beta 503 kong"] = 7 };
        Dictionary<string, double> stored = [];
        await Poll.UntilAsync(
            async () =>
            {
                stored = (await prometheus.QueryAsync("sum by (service, code, source) (kong_http_requests_total)"))
                    .ToDictionary(r => $"{Label(r.Labels, "service")} {Label(r.Labels, "code")} {Label(r.Labels, "source")}", r => r.Value);
                return stored.Count == expected.Count && expected.All(e => stored.GetValueOrDefault(e.Key) == e.Value)
                    && (await prometheus.QueryAsync("up == 1")).Count == 3;
            },
            TimeSpan.FromSeconds(20),
            "Prometheus' counts from three targets up",
            everyMs: 500);

        // Per edge too: each instance reports only its own requests.
        var perEdge = (await prometheus.QueryAsync("""sum by (instance) (kong_http_requests_total{job="turnpike-edge"})""")).ToDictionary(r => Label(r.Labels, "instance"), r => r.Value);
        Assert.Equal(10, perEdge[$"127.0.0.1:{edgeA.StatusPort}"]);
        Assert.Equal(9, perEdge[$"127.0.0.1:{edgeB.StatusPort}"]);

        // Both edges on the same config version; the silo reports the grain calls it served.
        var versions = await prometheus.QueryAsync("turnpike_config_version");
        Assert.Equal(2, versions.Count);
        Assert.Single(versions.Select(v => v.Value).Distinct());
        Assert.True(versions[0].Value >= version);
        Assert.NotEmpty(await prometheus.QueryAsync("""sum by (grain_type) (turnpike_grain_call_duration_ms_count) > 0"""));
        Assert.Equal(12, (await prometheus.QueryAsync("""sum(kong_upstream_latency_ms_count{service="alpha"})""")).Single().Value);

        // Every query of the shipped Grafana dashboard is one this Prometheus accepts (QueryAsync throws otherwise),
        // and the config panel shows both edges.
        var dashboard = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "infra", "grafana", "turnpike.json")))!;
        var queries = dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray().Select(t => t!["expr"]!.GetValue<string>()))
            .Select(e => e.Replace("$instance", ".*", StringComparison.Ordinal).Replace("$service", ".*", StringComparison.Ordinal)).ToList();
        Assert.True(queries.Count >= 15);
        foreach (var query in queries)
        {
            await prometheus.QueryAsync(query);
        }

        var config = dashboard["panels"]!.AsArray().Single(p => p!["title"]!.GetValue<string>() == "Config version per edge")!["targets"]![0]!["expr"]!.GetValue<string>();
        Assert.Equal(2, (await prometheus.QueryAsync(config.Replace("$instance", ".*", StringComparison.Ordinal))).Count);
    }

    private static async Task<bool> PrometheusEnabledAsync(EdgeNode edge) =>
        (await edge.Admin.GetJsonAsync("/")).Body?["plugins"]?["enabled_in_cluster"]?.AsArray().Any(p => p?.GetValue<string>() == "prometheus") == true;

    private static string Label(JsonObject labels, string name) => labels[name]?.GetValue<string>() ?? "";
}
