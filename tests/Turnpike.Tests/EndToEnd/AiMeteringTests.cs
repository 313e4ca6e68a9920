using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>
/// AI tokens in the billing meters: what the fake providers reported, per consumer and model, streamed or not,
/// and for a client that hung up mid-stream, reaches the usage API and the CSV export exactly.
/// </summary>
[Collection(DevGatewayCollection.Name)]
public sealed class AiMeteringTests(DevGatewayFixture fixture) : IAsyncLifetime
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "aimeter-" + Guid.NewGuid().ToString("N")[..8];
    private FakeLlmProvider _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeLlmProvider.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private static string Range => $"from={DateTimeOffset.UtcNow.AddHours(-1):yyyy-MM-ddTHH:mm:ssZ}&to={DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}";

    /// <summary>One service with key-auth and ai-proxy for <paramref name="provider"/> (prices 2.5 and 10 per million tokens); consumers a and b.</summary>
    private async Task<string> MeteredRouteAsync(string provider)
    {
        var name = $"{_name}-{provider}";
        var config = AiRoutes.Config(_fake, provider, options: new JsonObject { ["input_cost"] = 2.5, ["output_cost"] = 10 });
        await AiRoutes.CreateAsync(_admin, _proxy, name, ("key-auth", new JsonObject()), ("ai-proxy", config));
        foreach (var who in new[] { "a", "b" })
        {
            var (status, _) = await _admin.PostJsonAsync("/consumers", new { username = $"{_name}-{who}" });
            Assert.True(status is 201 or 409);
            await _admin.CreateAsync($"/consumers/{_name}-{who}/key-auth", new { key = $"{name}-{who}-key" });
        }

        return name;
    }

    private async Task<JsonObject> SdkAsync(string route, string who, bool stream, int? abortAfterChunks = null, string? provider = null)
    {
        var result = await OpenAiSdk.RunAsync(new JsonObject
        {
            ["baseURL"] = $"{_proxy.BaseAddress!.ToString().TrimEnd('/')}/{route}/v1",
            ["apiKey"] = "unused",
            ["headers"] = new JsonObject { ["apikey"] = $"{route}-{who}-key" },
            ["model"] = AiRoutes.ModelOf(provider ?? "openai"),
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Count to three." }),
            ["stream"] = stream,
            ["abortAfterChunks"] = abortAfterChunks,
        });
        Assert.True(result["ok"]!.GetValue<bool>(), result.ToJsonString());
        return result;
    }

    /// <summary>The named counters per consumer username once <paramref name="requests"/> of theirs are in, polling the usage API.</summary>
    private async Task<Dictionary<string, JsonObject>> CountersAsync(string service, int requests)
    {
        Dictionary<string, JsonObject> counters = [];
        await Poll.UntilAsync(
            async () =>
            {
                var (status, body) = await _admin.GetJsonAsync($"/billing/usage?service={service}&{Range}");
                Assert.Equal(200, status);
                // Rows of identified consumers only: the readiness probes went without a key (anonymous).
                var rows = body!["data"]!.AsArray().Where(r => r!["consumer"] is not null).ToList();
                if (rows.Sum(r => r!["requests"]!.GetValue<long>()) < requests)
                {
                    return false;
                }

                counters = rows.ToDictionary(r => r!["consumer"]!["username"]!.GetValue<string>(), r => r!["counters"]!.AsObject());
                return true;
            },
            TimeSpan.FromSeconds(20),
            $"usage of {requests} requests");
        return counters;
    }

    [Fact]
    public async Task Tokens_and_cost_per_consumer_and_model_in_usage_and_csv_export_equal_what_the_providers_reported()
    {
        var openai = await MeteredRouteAsync("openai");
        var anthropic = await MeteredRouteAsync("anthropic");
        (_fake.PromptTokens, _fake.CompletionTokens) = (13, 5);
        await SdkAsync(openai, "a", stream: false);
        (_fake.PromptTokens, _fake.CompletionTokens, _fake.CachedTokens) = (21, 9, 4);
        await SdkAsync(openai, "a", stream: true);
        (_fake.PromptTokens, _fake.CompletionTokens, _fake.CachedTokens) = (8, 3, 0);
        await SdkAsync(openai, "b", stream: true);
        (_fake.PromptTokens, _fake.CompletionTokens) = (100, 40);
        await SdkAsync(anthropic, "a", stream: true, provider: "anthropic");

        var byConsumer = await CountersAsync(openai, 3);
        var a = byConsumer[$"{_name}-a"];
        Assert.Equal(13 + 21, a["ai_prompt_tokens:openai/gpt-4o"]!.GetValue<long>());
        Assert.Equal(5 + 9, a["ai_completion_tokens:openai/gpt-4o"]!.GetValue<long>());
        Assert.Equal(4, a["ai_cached_tokens:openai/gpt-4o"]!.GetValue<long>());
        Assert.Equal(((34 * 2.5m) + (14 * 10m)) * 1000, a["ai_cost_nanos:openai/gpt-4o"]!.GetValue<long>()); // 0.000225 of the currency
        var b = byConsumer[$"{_name}-b"];
        Assert.Equal((8, 3), (b["ai_prompt_tokens:openai/gpt-4o"]!.GetValue<long>(), b["ai_completion_tokens:openai/gpt-4o"]!.GetValue<long>()));

        var claude = (await CountersAsync(anthropic, 1))[$"{_name}-a"];
        Assert.Equal((100, 40), (claude["ai_prompt_tokens:anthropic/claude-sonnet-4"]!.GetValue<long>(), claude["ai_completion_tokens:anthropic/claude-sonnet-4"]!.GetValue<long>()));

        // The export carries the same counters, in its JSON column.
        var records = Csv.Parse(await _admin.GetStringAsync($"/billing/export?format=csv&service={openai}&{Range}"));
        var header = records[0];
        var row = records.Skip(1).Single(r => r[Array.IndexOf(header, "consumer_username")] == $"{_name}-a");
        var counters = JsonNode.Parse(row[Array.IndexOf(header, "counters")])!;
        Assert.Equal(34, counters["ai_prompt_tokens:openai/gpt-4o"]!.GetValue<long>());
        Assert.Equal(14, counters["ai_completion_tokens:openai/gpt-4o"]!.GetValue<long>());

        // A price on the cost counter bills the model's own prices: 225,000 nanos are 0.000225.
        var (priced, _) = await _admin.SendJsonAsync(HttpMethod.Put, $"/billing/prices/{_name}-a", new { per_counter = new Dictionary<string, decimal> { ["ai_cost_nanos:openai/gpt-4o"] = 0.000000001m } });
        Assert.Equal(200, priced);
        var (_, usage) = await _admin.GetJsonAsync($"/billing/usage?service={openai}&consumer={_name}-a&{Range}");
        Assert.Equal(0.000225m, usage!["data"]![0]!["amount"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task A_client_that_hangs_up_mid_stream_is_metered_for_everything_the_provider_produced()
    {
        var route = await MeteredRouteAsync("openai");
        (_fake.PromptTokens, _fake.CompletionTokens, _fake.ChunkDelayMs) = (17, 230, 200);
        _fake.ReplyText = "one two three four five six seven eight nine ten";

        var result = await SdkAsync(route, "a", stream: true, abortAfterChunks: 1);

        Assert.True(result["aborted"]!.GetValue<bool>());
        Assert.Null(result["usage"]); // the client never saw the end
        await Poll.UntilAsync(() => Task.FromResult(_fake.StreamsCompleted == 1), TimeSpan.FromSeconds(20), "the provider's stream read to its end");
        var a = (await CountersAsync(route, 1))[$"{_name}-a"];
        Assert.Equal((17, 230), (a["ai_prompt_tokens:openai/gpt-4o"]!.GetValue<long>(), a["ai_completion_tokens:openai/gpt-4o"]!.GetValue<long>()));
    }
}
