using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>
/// What ai-proxy adds to an LLM call: a fake provider answering at once, called directly and through an edge
/// (plainly proxied, OpenAI through ai-proxy, Anthropic translated both ways), in alternating rounds of sequential requests:
/// latency of whole answers, time to the first streamed chunk and to the end, and the edge's CPU per call.
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

        // The same call proxied without ai-proxy: what any proxied request costs, the baseline for the AI work.
        await edge.Admin.CreateAsync("/services", new { name = "plain", url = fake.Url });
        await edge.Admin.CreateAsync("/services/plain/routes", new { paths = new[] { "/plain" } });
        using var client = new HttpClient();
        var targets = new (string Name, string Url)[]
        {
            ("direct (fake provider, OpenAI format)", $"{fake.Url}/v1/chat/completions"),
            ("plain proxy (no plugins)", $"http://127.0.0.1:{edge.ProxyPort}/plain/v1/chat/completions"),
            ("ai-proxy, openai (passed through)", $"http://127.0.0.1:{edge.ProxyPort}/openai/v1/chat/completions"),
            ("ai-proxy, anthropic (translated)", $"http://127.0.0.1:{edge.ProxyPort}/anthropic/v1/chat/completions"),
        };
        var whole = targets.ToDictionary(t => t.Name, _ => new List<double>());
        var first = targets.ToDictionary(t => t.Name, _ => new List<double>());
        var end = targets.ToDictionary(t => t.Name, _ => new List<double>());
        var cpu = targets.ToDictionary(t => t.Name, _ => new List<double>());
        for (var round = 0; round <= rounds; round++)
        {
            foreach (var (name, url) in targets)
            {
                var before = ProcessStats.CpuTime(edge.Process.Id);
                for (var i = 0; i < requests; i++)
                {
                    var clock = Stopwatch.StartNew();
                    using (var response = await client.PostAsJsonAsync(url, Chat))
                    {
                        await response.Content.ReadAsByteArrayAsync();
                        response.EnsureSuccessStatusCode();
                    }

                    var wholeMs = clock.Elapsed.TotalMilliseconds;
                    clock.Restart();
                    using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(new JsonObject { ["stream"] = true, ["stream_options"] = new JsonObject { ["include_usage"] = true } }.Merge(Chat)) };
                    using var streamed = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                    using var reader = new StreamReader(await streamed.Content.ReadAsStreamAsync());
                    await reader.ReadLineAsync();
                    var firstMs = clock.Elapsed.TotalMilliseconds;
                    await reader.ReadToEndAsync();
                    if (round > 0)
                    {
                        // Round 0 warms up (JIT, connections) and is not counted.
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
        Console.WriteLine($"### {rounds} rounds × {requests} sequential calls per target, each a whole answer and a stream (medians; p99 in brackets)");
        Console.WriteLine("| target | whole answer ms | added ms | stream: first chunk ms | added ms | stream: end ms | edge CPU µs per call |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (name, _) in targets)
        {
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"| {name} | {Percentiles.Of(whole[name], 50):F3} ({Percentiles.Of(whole[name], 99):F2}) | {Percentiles.Of(whole[name], 50) - Percentiles.Of(whole[direct], 50):F3} | {Percentiles.Of(first[name], 50):F3} ({Percentiles.Of(first[name], 99):F2}) | {Percentiles.Of(first[name], 50) - Percentiles.Of(first[direct], 50):F3} | {Percentiles.Of(end[name], 50):F3} | {(name == direct ? "–" : Percentiles.Of(cpu[name], 50).ToString("F0", System.Globalization.CultureInfo.InvariantCulture))} |"));
        }
    }
}
