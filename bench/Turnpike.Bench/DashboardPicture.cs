using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>
/// The picture of infra/grafana/turnpike.json in the docs, made from a real run: one silo, two edges with the
/// <c>prometheus</c> plugin (every switch on), an upstream pool with active health checks, key-auth + rate-limiting,
/// two AI routes to the fake provider; traffic that rises and falls for <c>seconds</c>, with a burst of upstream errors,
/// a pool target that dies and comes back, and admin writes. A real Prometheus scrapes the three nodes every second;
/// then every query of every panel, read from the dashboard file itself (so the picture cannot drift from the
/// dashboard), is asked of Prometheus' range API and the answers are drawn as the panels (<see cref="DashboardSvg"/>).
/// </summary>
internal static class DashboardPicture
{
    private const int Step = 2;

    public static async Task RunAsync(int seconds, string output)
    {
        var dashboard = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "infra", "grafana", "turnpike.json")))!;
        var panels = DashboardPanel.Read(dashboard);
        await using var upstream = await UpstreamServer.StartAsync();
        var pooled = await UpstreamServer.StartAsync();
        var pooledPort = pooled.Port;
        await using var fake = await FakeLlmProvider.StartAsync();
        await using var silo = await SiloNode.StartAsync();
        var edges = await Task.WhenAll(EdgeNode.StartClientAsync([silo]), EdgeNode.StartClientAsync([silo]));
        await using var edgeA = edges[0];
        await using var edgeB = edges[1];

        var admin = edgeA.Admin;
        await admin.CreateAsync("/plugins", new { name = "prometheus", config = new { status_code_metrics = true, latency_metrics = true, bandwidth_metrics = true, upstream_health_metrics = true, ai_metrics = true } });
        await admin.CreateAsync("/services", new { name = "orders", url = upstream.Url });
        await admin.CreateAsync("/services/orders/routes", new { name = "orders", paths = new[] { "/orders" } });
        await admin.CreateAsync("/services", new { name = "payments", url = upstream.Url });
        await admin.CreateAsync("/services/payments/routes", new { name = "payments", paths = new[] { "/payments" } });
        await admin.CreateAsync("/services", new { name = "legacy", url = upstream.Url });
        await admin.CreateAsync("/services/legacy/routes", new { name = "legacy", paths = new[] { "/legacy" } });
        await admin.CreateAsync("/services/legacy/plugins", new { name = "request-termination", config = new { status_code = 503, message = "retired" } });
        await admin.CreateAsync("/upstreams", new
        {
            name = "catalog-pool",
            healthchecks = new
            {
                active = new { http_path = "/health", timeout = 1, healthy = new { interval = 1, successes = 1 }, unhealthy = new { interval = 1, tcp_failures = 1, http_failures = 1 } },
            },
        });
        await admin.CreateAsync("/upstreams/catalog-pool/targets", new { target = $"127.0.0.1:{upstream.Port}" });
        await admin.CreateAsync("/upstreams/catalog-pool/targets", new { target = $"127.0.0.1:{pooledPort}" });
        await admin.CreateAsync("/services", new { name = "catalog", host = "catalog-pool", port = 80, protocol = "http" });
        await admin.CreateAsync("/services/catalog/routes", new { name = "catalog", paths = new[] { "/catalog" } });
        await admin.CreateAsync("/services/catalog/plugins", new { name = "key-auth" });
        await admin.CreateAsync("/services/catalog/plugins", new { name = "rate-limiting", config = new { minute = 100_000, policy = "cluster" } });
        await admin.CreateAsync("/consumers", new { username = "shop" });
        await admin.CreateAsync("/consumers/shop/key-auth", new { key = "shop-key" });
        await AiRoutes.CreateAsync(admin, edgeA.Proxy, "chat", ("ai-proxy", Ai(fake, "openai", 2.5, 10)));
        await AiRoutes.CreateAsync(admin, edgeA.Proxy, "claude", ("ai-proxy", Ai(fake, "anthropic", 3, 15)));
        await Poll.UntilAsync(async () => await edgeA.ConfigVersionAsync() == await edgeB.ConfigVersionAsync(), TimeSpan.FromSeconds(15), "both edges on one version");

        await using var prometheus = await PrometheusServer.StartAsync(
            ("turnpike-edge", [$"127.0.0.1:{edgeA.StatusPort}", $"127.0.0.1:{edgeB.StatusPort}"]),
            ("turnpike-silo", [$"127.0.0.1:{silo.StatusPort}"]));
        var start = DateTimeOffset.UtcNow;
        Console.WriteLine($"cluster up, Prometheus scraping; {seconds} s of traffic from {start:HH:mm:ss}");
        var sent = await DriveAsync(seconds, [edgeA.Proxy, edgeB.Proxy], admin, async phase =>
        {
            if (phase == 1)
            {
                await pooled.DisposeAsync(); // a pool target dies: its health goes to unhealthy
            }
            else if (phase == 2)
            {
                pooled = await UpstreamServer.StartAsync(pooledPort); // and comes back where it was
            }
        });
        await pooled.DisposeAsync();
        await Task.Delay(TimeSpan.FromSeconds(3)); // the last scrapes
        var end = DateTimeOffset.UtcNow;
        Console.WriteLine($"sent {sent} requests; querying {panels.Sum(p => p.Targets.Count)} panel queries");

        var drawn = new List<(DashboardPanel, IReadOnlyList<PanelSeries>)>();
        foreach (var panel in panels)
        {
            var series = new List<PanelSeries>();
            foreach (var target in panel.Targets)
            {
                // Grafana's "All" for the edge and service variables (their allValue in the dashboard is .*).
                var expr = target.Expr.Replace("$instance", ".*", StringComparison.Ordinal).Replace("$service", ".*", StringComparison.Ordinal);
                series.AddRange(await RangeAsync(prometheus.Api, expr, target.LegendFormat, start, end));
            }

            Console.WriteLine($"  {panel.Title}: {series.Count} series");
            drawn.Add((panel, series));
        }

        string[] subtitle =
        [
            $"Made by `Turnpike.Bench dashboard` from a real run on {start:yyyy-MM-dd}: one silo, two edges, the prometheus plugin, {sent:N0} requests over {seconds} s, Prometheus scraping every second.",
            "Every query is the dashboard's own (edge and service: All), asked of Prometheus' range API. Times UTC; [5m] panels ramp up over the run's first five minutes.",
        ];
        var path = Path.GetFullPath(output, RepoPaths.Root);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, DashboardSvg.Render(dashboard["title"]!.GetValue<string>(), subtitle, drawn, start.ToUnixTimeSeconds(), end.ToUnixTimeSeconds(), Step));
        Console.WriteLine($"wrote {path}");
    }

    private static JsonObject Ai(FakeLlmProvider fake, string provider, double inputCost, double outputCost) =>
        AiRoutes.Config(fake, provider, options: new JsonObject { ["input_cost"] = inputCost, ["output_cost"] = outputCost });

    /// <summary>
    /// Requests every 100 ms, not waiting for the previous ones, at a rate that swells to twice its start and ebbs again over
    /// the run, spread over both edges and the routes; from 45 % to 60 % of the run payments' upstream answers 500 to two
    /// requests in five; phases 1 and 2 (40 % and 70 %) kill and revive a pool target; every 30 s an admin write moves
    /// the config version.
    /// </summary>
    private static async Task<long> DriveAsync(int seconds, HttpClient[] proxies, HttpClient admin, Func<int, Task> phase)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(19);
        var inFlight = new List<Task>(); // every request sent: awaited at the end, so a failed one fails the run
        var (tick, phaseDone, writes) = (0, 0, 0);
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var t = clock.Elapsed.TotalSeconds;
            if (phaseDone < 2 && t >= seconds * (phaseDone == 0 ? 0.4 : 0.7))
            {
                await phase(++phaseDone);
            }

            if (t >= (writes + 1) * 30)
            {
                writes++;
                await admin.SendJsonAsync(HttpMethod.Patch, "/services/orders", new { tags = new[] { $"release-{writes}" } });
            }

            var rate = 40 * (1.5 - (0.5 * Math.Cos(2 * Math.PI * t / seconds)));
            var errors = t > seconds * 0.45 && t < seconds * 0.6;
            for (var i = 0; i < (int)Math.Round(rate / 10); i++)
            {
                var proxy = proxies[(tick + i) % proxies.Length];
                var pick = random.NextDouble();
                inFlight.Add(pick switch
                {
                    < 0.40 => SendAsync(proxy, HttpMethod.Get, $"/orders?delay_ms={random.Next(2, 40)}", null),
                    < 0.55 => SendAsync(proxy, HttpMethod.Post, $"/payments?delay_ms={random.Next(10, 120)}" + (errors && random.NextDouble() < 0.4 ? "&respond_status=500" : ""), new string('x', 2048)),
                    < 0.60 => SendAsync(proxy, HttpMethod.Get, "/legacy", null),
                    < 0.95 => SendAsync(proxy, HttpMethod.Get, "/catalog/items", null, ("apikey", "shop-key")),
                    _ => SendAsync(proxy, HttpMethod.Post, random.NextDouble() < 0.6 ? "/chat" : "/claude", """{"messages":[{"role":"user","content":"Summarise my order"}]}"""),
                });
            }

            tick++;
            var next = tick * 0.1;
            if (next > clock.Elapsed.TotalSeconds)
            {
                await Task.Delay(TimeSpan.FromSeconds(next - clock.Elapsed.TotalSeconds));
            }
        }

        await Task.WhenAll(inFlight);
        return inFlight.Count;
    }

    private static async Task SendAsync(HttpClient proxy, HttpMethod method, string path, string? body, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        using var response = await proxy.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
    }

    /// <summary>A range query (one point every 2 s) through Prometheus' HTTP API: a series per answer, legends as Grafana fills them.</summary>
    private static async Task<List<PanelSeries>> RangeAsync(HttpClient api, string expr, string legend, DateTimeOffset start, DateTimeOffset end)
    {
        var url = $"/api/v1/query_range?query={Uri.EscapeDataString(expr)}&start={start.ToUnixTimeSeconds()}&end={end.ToUnixTimeSeconds()}&step={Step}";
        var answer = JsonNode.Parse(await api.GetStringAsync(url))!;
        if (answer["status"]?.GetValue<string>() != "success")
        {
            throw new InvalidOperationException($"Prometheus refused {expr}: {answer.ToJsonString()}");
        }

        // Prometheus writes NaN and ±Inf as text ("NaN", "+Inf"): a gap in the line.
        return [.. answer["data"]!["result"]!.AsArray().Select(r => new PanelSeries(
            PanelSeries.LegendOf(legend, r!["metric"]!.AsObject()),
            [.. r["values"]!.AsArray().Select(v => (v![0]!.GetValue<double>(),
                double.TryParse(v[1]!.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : double.NaN))]))];
    }
}
