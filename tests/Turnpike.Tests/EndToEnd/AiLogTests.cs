using System.Net;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>
/// Kong's <c>ai</c> log section through a real edge and file-log: an LLM call's model, tokens, cost and latency when
/// its <c>logging.log_statistics</c> is on, its bodies when <c>logging.log_payloads</c> is on, nothing otherwise.
/// </summary>
[Collection(DevGatewayCollection.Name)]
public sealed class AiLogTests(DevGatewayFixture fixture) : IAsyncLifetime
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _logs = Path.Combine(Path.GetTempPath(), $"turnpike-ai-log-{Guid.NewGuid():N}");
    private FakeLlmProvider _fake = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_logs);
        _fake = await FakeLlmProvider.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _fake.DisposeAsync();
        Directory.Delete(_logs, recursive: true);
    }

    /// <summary>A file per route: two file-log instances do not share one file.</summary>
    private string LogOf(string name) => Path.Combine(_logs, name + ".log");

    private JsonObject FileLog(string name) => new() { ["path"] = LogOf(name) };

    private static JsonObject Logging(bool statistics, bool payloads) => new() { ["log_statistics"] = statistics, ["log_payloads"] = payloads };

    /// <summary>The entry for <paramref name="path"/> in route <paramref name="name"/>'s file, once it is written whole.</summary>
    private async Task<JsonObject> EntryAsync(string name, string path)
    {
        JsonObject? entry = null;
        await Poll.UntilAsync(
            () =>
            {
                var text = File.Exists(LogOf(name)) ? File.ReadAllText(LogOf(name)) : "";
                entry = text.EndsWith('\n')
                    ? text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).LastOrDefault(e => e["request"]!["uri"]!.GetValue<string>().EndsWith(path, StringComparison.Ordinal))
                    : null;
                return Task.FromResult(entry is not null);
            },
            TimeSpan.FromSeconds(10),
            "the request's line in the file-log");
        return entry!;
    }

    private async Task<(string Path, JsonObject Entry)> ChatAsync(string name)
    {
        var (status, _, response) = await AiRoutes.PostChatAsync(_proxy, $"/{name}/v1/chat/completions", new { messages = new[] { new { role = "user", content = "Hello log" } } });
        response.Dispose();
        Assert.Equal(200, status);
        return ($"/{name}/v1/chat/completions", await EntryAsync(name, $"/{name}/v1/chat/completions"));
    }

    [Fact]
    public async Task Ai_proxy_logs_kongs_statistics_and_payloads_only_when_its_logging_asks()
    {
        var quiet = "ail-q-" + Guid.NewGuid().ToString("N")[..6];
        var loud = "ail-l-" + Guid.NewGuid().ToString("N")[..6];
        await AiRoutes.CreateAsync(_admin, _proxy, quiet, ("ai-proxy", AiRoutes.Config(_fake, "openai")), ("file-log", FileLog(quiet)));
        await AiRoutes.CreateAsync(_admin, _proxy, loud, ("ai-proxy", AiRoutes.Config(_fake, "openai").Merge(new JsonObject { ["logging"] = Logging(true, true) })), ("file-log", FileLog(loud)));
        _fake.ReplyText = "Logged reply";

        var (_, quietEntry) = await ChatAsync(quiet);
        var (_, loudEntry) = await ChatAsync(loud);

        Assert.Null(quietEntry["ai"]);
        var ai = loudEntry["ai"]!["proxy"]!;
        Assert.Equal("openai", ai["meta"]!["provider_name"]!.GetValue<string>());
        Assert.Equal("gpt-4o", ai["meta"]!["request_model"]!.GetValue<string>());
        Assert.Equal("gpt-4o", ai["meta"]!["response_model"]!.GetValue<string>());
        Assert.True(Guid.TryParse(ai["meta"]!["plugin_id"]!.GetValue<string>(), out var pluginId) && pluginId != Guid.Empty);
        Assert.True(ai["meta"]!["llm_latency"]!.GetValue<long>() >= 0);
        Assert.Equal(11, ai["usage"]!["prompt_tokens"]!.GetValue<long>());
        Assert.Equal(7, ai["usage"]!["completion_tokens"]!.GetValue<long>());
        Assert.Equal(18, ai["usage"]!["total_tokens"]!.GetValue<long>());
        Assert.Contains("Hello log", ai["payload"]!["request"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("Logged reply", ai["payload"]!["response"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ai_proxy_advanced_logs_its_targets_statistics_without_payloads_when_only_statistics_are_on()
    {
        var name = "ail-a-" + Guid.NewGuid().ToString("N")[..6];
        var target = AiRoutes.Config(_fake, "anthropic").Merge(new JsonObject { ["logging"] = Logging(true, false) });
        await AiRoutes.CreateAsync(_admin, _proxy, name, ("ai-proxy-advanced", new JsonObject { ["targets"] = new JsonArray(target) }), ("file-log", FileLog(name)));

        var (_, entry) = await ChatAsync(name);

        var ai = entry["ai"]!["proxy"]!;
        Assert.Equal("anthropic", ai["meta"]!["provider_name"]!.GetValue<string>());
        Assert.Equal(18, ai["usage"]!["total_tokens"]!.GetValue<long>());
        Assert.Null(ai["payload"]);
    }

    [Fact]
    public async Task An_ai_response_transformers_call_is_logged_under_its_plugin_name()
    {
        var name = "ail-t-" + Guid.NewGuid().ToString("N")[..6];
        var llm = AiRoutes.Config(_fake, "openai").Merge(new JsonObject { ["logging"] = Logging(true, false) });
        await _admin.CreateAsync("/services", new { name, url = fixture.Upstream.Url });
        await _admin.CreateAsync($"/services/{name}/routes", new { paths = new[] { "/" + name } });
        await _admin.CreateAsync($"/services/{name}/plugins", new JsonObject { ["name"] = "ai-response-transformer", ["config"] = new JsonObject { ["prompt"] = "Shorten.", ["llm"] = llm } });
        await _admin.CreateAsync($"/services/{name}/plugins", new JsonObject { ["name"] = "file-log", ["config"] = FileLog(name) });
        using (var ready = await _proxy.EventuallyAsync($"/{name}/ready", r => r.StatusCode != HttpStatusCode.NotFound))
        {
        }

        using (var response = await _proxy.GetAsync($"/{name}/shorten"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var ai = (await EntryAsync(name, $"/{name}/shorten"))["ai"]!["ai-response-transformer"]!;
        Assert.Equal(11, ai["usage"]!["prompt_tokens"]!.GetValue<long>());
        Assert.Equal("gpt-4o", ai["meta"]!["request_model"]!.GetValue<string>());
    }
}
