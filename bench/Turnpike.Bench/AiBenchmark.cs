using System.Diagnostics;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>
/// What ai-proxy adds to an LLM call: a fake provider answering at once, called directly and through an edge
/// (plainly proxied, OpenAI through ai-proxy, Anthropic translated both ways, ai-proxy-advanced balancing two targets,
/// ai-semantic-cache hits and misses), in alternating rounds of sequential requests: latency of whole answers, time to
/// the first streamed chunk and to the end, and the edge's CPU per call, also as a ratio to plain ai-proxy's.
/// </summary>
internal static class AiBenchmark
{
    private static readonly object Chat = new
    {
        max_tokens = 64,
        messages = new object[] { new { role = "system", content = "You are terse." }, new { role = "user", content = "Say hello." } },
    };

    public static async Task RunAsync(int rounds, int requests)
    {
        await using var fake = await FakeLlmProvider.StartAsync();
        await using var silo = await SiloNode.StartAsync();
        await using var edge = await EdgeNode.StartClientAsync([silo]);
        foreach (var provider in new[] { "openai", "anthropic" })
        {
            await AiRoutes.CreateAsync(edge.Admin, edge.Proxy, provider, ("ai-proxy", AiRoutes.Config(fake, provider)));
        }

        // ai-proxy-advanced balancing two OpenAI-format targets (the same fake, two model names) round-robin.
        var balanced = new JsonArray();
        foreach (var model in new[] { "gpt-4o", "gpt-4o-mini" })
        {
            balanced.Add(AiRoutes.Config(fake, "openai", model: model));
        }

        await AiRoutes.CreateAsync(edge.Admin, edge.Proxy, "advanced", ("ai-proxy-advanced", new JsonObject { ["targets"] = balanced, ["balancer"] = new JsonObject { ["algorithm"] = "round-robin" } }));

        // ai-semantic-cache behind ai-proxy, in this edge's memory: every call after the first hits (an embeddings call
        // and a search, or with exact_caching the key alone); the miss route gets a prompt never seen, so each call
        // embeds, searches, calls the model and stores.
        await AiRoutes.CreateAsync(edge.Admin, edge.Proxy, "cache-hit", ("ai-proxy", AiRoutes.Config(fake, "openai")), ("ai-semantic-cache", CacheConfig(fake, exact: false)));
        await AiRoutes.CreateAsync(edge.Admin, edge.Proxy, "cache-exact", ("ai-proxy", AiRoutes.Config(fake, "openai")), ("ai-semantic-cache", CacheConfig(fake, exact: true)));
        await AiRoutes.CreateAsync(edge.Admin, edge.Proxy, "cache-miss", ("ai-proxy", AiRoutes.Config(fake, "openai")), ("ai-semantic-cache", CacheConfig(fake, exact: false)));

        // The same call proxied without ai-proxy: what any proxied request costs, the baseline for the AI work.
        await edge.Admin.CreateAsync("/services", new { name = "plain", url = fake.Url });
        await edge.Admin.CreateAsync("/services/plain/routes", new { paths = new[] { "/plain" } });
        using var client = new HttpClient();
        var proxy = $"http://127.0.0.1:{edge.ProxyPort}";
        var targets = new (string Name, string Url)[]
        {
            ("direct (fake provider, OpenAI format)", $"{fake.Url}/v1/chat/completions"),
            ("plain proxy (no plugins)", $"{proxy}/plain/v1/chat/completions"),
            ("ai-proxy, openai (passed through)", $"{proxy}/openai/v1/chat/completions"),
            ("ai-proxy, anthropic (translated)", $"{proxy}/anthropic/v1/chat/completions"),
            ("ai-proxy-advanced, 2 targets round-robin", $"{proxy}/advanced/v1/chat/completions"),
            ("ai-semantic-cache hit (embeddings + search)", $"{proxy}/cache-hit/v1/chat/completions"),
            ("ai-semantic-cache hit (exact_caching)", $"{proxy}/cache-exact/v1/chat/completions"),
            ("ai-semantic-cache miss (embeddings + search + model + store)", $"{proxy}/cache-miss/v1/chat/completions"),
        };
        var whole = targets.ToDictionary(t => t.Name, _ => new List<double>());
        var first = targets.ToDictionary(t => t.Name, _ => new List<double>());
        var end = targets.ToDictionary(t => t.Name, _ => new List<double>());
        var cpu = targets.ToDictionary(t => t.Name, _ => new List<double>());
        var statuses = targets.ToDictionary(t => t.Name, _ => new Dictionary<string, int>(StringComparer.Ordinal));
        for (var round = 0; round <= rounds; round++)
        {
            foreach (var (name, url) in targets)
            {
                var miss = url.Contains("/cache-miss/", StringComparison.Ordinal);
                var before = ProcessStats.CpuTime(edge.Process.Id);
                for (var i = 0; i < requests; i++)
                {
                    var clock = Stopwatch.StartNew();
                    using (var response = await client.PostAsJsonAsync(url, miss ? Unseen() : Chat))
                    {
                        await response.Content.ReadAsByteArrayAsync();
                        response.EnsureSuccessStatusCode();
                        if (round > 0 && response.Headers.TryGetValues("X-Cache-Status", out var status))
                        {
                            CollectionsMarshal.GetValueRefOrAddDefault(statuses[name], status.First(), out _)++;
                        }
                    }

                    var wholeMs = clock.Elapsed.TotalMilliseconds;
                    clock.Restart();
                    using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(new JsonObject { ["stream"] = true, ["stream_options"] = new JsonObject { ["include_usage"] = true } }.Merge(miss ? Unseen() : Chat)) };
                    using var streamed = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                    using var reader = new StreamReader(await streamed.Content.ReadAsStreamAsync());
                    await reader.ReadLineAsync();
                    var firstMs = clock.Elapsed.TotalMilliseconds;
                    await reader.ReadToEndAsync();
                    if (round > 0)
                    {
                        // Round 0 warms up (JIT, connections, the cache's first entry) and is not counted.
                        whole[name].Add(wholeMs);
                        first[name].Add(firstMs);
                        end[name].Add(clock.Elapsed.TotalMilliseconds);
                    }
                }

                if (round > 0)
                {
                    cpu[name].Add((ProcessStats.CpuTime(edge.Process.Id) - before).TotalMicroseconds / (2 * requests));
                }
            }
        }

        var direct = targets[0].Name;
        var aiProxy = targets[2].Name;
        Console.WriteLine($"### {rounds} rounds × {requests} sequential calls per target, each a whole answer and a stream (medians; p99 in brackets)");
        Console.WriteLine("| target | whole answer ms | added ms | stream: first chunk ms | added ms | stream: end ms | edge CPU µs per call | CPU vs ai-proxy |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var (name, _) in targets)
        {
            var cpuText = name == direct ? "–" : Percentiles.Of(cpu[name], 50).ToString("F0", System.Globalization.CultureInfo.InvariantCulture);
            var ratio = name == direct ? "–" : (Percentiles.Of(cpu[name], 50) / Percentiles.Of(cpu[aiProxy], 50)).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"| {name} | {Percentiles.Of(whole[name], 50):F3} ({Percentiles.Of(whole[name], 99):F2}) | {Percentiles.Of(whole[name], 50) - Percentiles.Of(whole[direct], 50):F3} | {Percentiles.Of(first[name], 50):F3} ({Percentiles.Of(first[name], 99):F2}) | {Percentiles.Of(first[name], 50) - Percentiles.Of(first[direct], 50):F3} | {Percentiles.Of(end[name], 50):F3} | {cpuText} | {ratio} |"));
        }

        foreach (var (name, counts) in statuses.Where(s => s.Value.Count > 0))
        {
            Console.WriteLine($"X-Cache-Status of counted whole answers, {name}: {string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))}");
        }
    }

    /// <summary>ai-semantic-cache in memory with the fake's embeddings (16 dimensions), cosine; a tight threshold so unseen prompts miss.</summary>
    private static JsonObject CacheConfig(FakeLlmProvider fake, bool exact) => new()
    {
        ["embeddings"] = new JsonObject
        {
            ["auth"] = new JsonObject { ["header_name"] = "Authorization", ["header_value"] = "Bearer " + AiRoutes.ProviderKey },
            ["model"] = new JsonObject { ["provider"] = "openai", ["name"] = "text-embedding-3-small", ["options"] = new JsonObject { ["upstream_url"] = fake.Url + "/v1/embeddings" } },
        },
        ["vectordb"] = new JsonObject { ["strategy"] = "memory", ["dimensions"] = FakeEmbeddings.Dimensions, ["distance_metric"] = "cosine", ["threshold"] = 0.0001 },
        ["exact_caching"] = exact,
    };

    /// <summary>A chat whose prompt was never asked: eight random words, so its bag-of-words embedding is almost surely new.</summary>
    private static object Unseen() => new
    {
        max_tokens = 64,
        messages = new object[] { new { role = "user", content = string.Join(' ', Enumerable.Range(0, 8).Select(_ => Guid.NewGuid().ToString("N")[..8])) } },
    };
}
