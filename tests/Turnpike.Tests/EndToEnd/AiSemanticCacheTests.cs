using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Edge.Ai.SemanticCache;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>
/// ai-semantic-cache through a real edge, with the fake provider as both the chat model and the embeddings model
/// (its embeddings are a hashed bag of words, so paraphrases are near and unrelated prompts far): paraphrases hit,
/// prompts beyond the threshold miss, exact caching answers without an embeddings call, hits replay as streams in the
/// client's format, Cache-Control is honoured, failures bypass or stop, and the tokens hits save are metered.
/// </summary>
[Collection(DevGatewayCollection.Name)]
public sealed class AiSemanticCacheTests(DevGatewayFixture fixture) : IAsyncLifetime
{
    private const string Question = "What is the capital of France?";
    private const string Paraphrase = "What is the capital city of France?";
    private const string Unrelated = "Tell me a joke about cats";
    private const double Threshold = 0.2;

    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "semc-" + Guid.NewGuid().ToString("N")[..8];
    private FakeLlmProvider _fake = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeLlmProvider.StartAsync();
        _fake.ReplyText = "Paris.";
    }

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    /// <summary>The semantic cache's config: the fake's OpenAI embeddings, 16 dimensions, cosine, the test's threshold.</summary>
    internal static JsonObject CacheConfig(FakeLlmProvider fake, JsonObject? extra = null, JsonObject? vectorDb = null) => new JsonObject
    {
        ["embeddings"] = new JsonObject
        {
            ["auth"] = new JsonObject { ["header_name"] = "Authorization", ["header_value"] = "Bearer " + AiRoutes.ProviderKey },
            ["model"] = new JsonObject { ["provider"] = "openai", ["name"] = "text-embedding-3-small", ["options"] = new JsonObject { ["upstream_url"] = fake.Url + "/v1/embeddings" } },
        },
        ["vectordb"] = new JsonObject { ["strategy"] = "memory", ["dimensions"] = FakeEmbeddings.Dimensions, ["distance_metric"] = "cosine", ["threshold"] = Threshold }.Merge(vectorDb),
    }.Merge(extra);

    private async Task RouteAsync(JsonObject? extra = null, string llmFormat = "openai", params (string Plugin, JsonObject Config)[] before)
    {
        var proxy = AiRoutes.Config(_fake, "openai");
        proxy["llm_format"] = llmFormat;
        await AiRoutes.CreateAsync(_admin, _proxy, _name, [.. before, ("ai-proxy", proxy), ("ai-semantic-cache", CacheConfig(_fake, extra))]);
    }

    private static object Chat(string prompt, bool stream = false) => new
    {
        messages = new object[] { new { role = "system", content = "Be terse." }, new { role = "user", content = prompt } },
        stream,
    };

    private async Task<(HttpResponseMessage Response, string Body)> AskAsync(string prompt, bool stream = false, string? cacheControl = null, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{_name}/v1/chat/completions") { Content = JsonContent.Create(Chat(prompt, stream)) };
        if (cacheControl is not null)
        {
            request.Headers.TryAddWithoutValidation("Cache-Control", cacheControl);
        }

        if (apiKey is not null)
        {
            request.Headers.Add("apikey", apiKey);
        }

        var response = await _proxy.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    private int ChatCalls => _fake.Requests.Count(r => r.Path == "/v1/chat/completions");

    private int EmbeddingCalls => _fake.Requests.Count(r => r.Path == "/v1/embeddings");

    [Fact]
    public async Task A_paraphrase_is_answered_from_the_cache_with_kongs_headers_and_the_model_is_not_called()
    {
        // What the fake embeddings make of the prompts: the paraphrase within the threshold, the unrelated prompt beyond it.
        Assert.InRange(Distance(Question, Paraphrase), 0.0001, Threshold);
        await RouteAsync();

        var (first, firstBody) = await AskAsync(Question);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("Miss", Header(first, "X-Cache-Status"));
        Assert.Matches("^[0-9a-f]{64}$", Header(first, "X-Cache-Key"));
        Assert.Equal("300", Header(first, "X-Cache-Ttl"));
        Assert.Equal((1, 1), (EmbeddingCalls, ChatCalls));
        Assert.Equal(Question, _fake.Requests.Single(r => r.Path == "/v1/embeddings").Body!["input"]!.GetValue<string>()); // the last message only (message_countback 1)

        var (hit, hitBody) = await AskAsync(Paraphrase);

        Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
        Assert.Equal("Hit", Header(hit, "X-Cache-Status"));
        Assert.NotEqual(Header(first, "X-Cache-Key"), Header(hit, "X-Cache-Key"));
        Assert.InRange(int.Parse(Header(hit, "Age"), System.Globalization.CultureInfo.InvariantCulture), 0, 5);
        Assert.InRange(int.Parse(Header(hit, "X-Cache-Ttl"), System.Globalization.CultureInfo.InvariantCulture), 295, 300);
        Assert.Equal((2, 1), (EmbeddingCalls, ChatCalls)); // the paraphrase was embedded, the model not asked
        Assert.Equal(JsonNode.Parse(firstBody)!["choices"]!.ToJsonString(), JsonNode.Parse(hitBody)!["choices"]!.ToJsonString());
        Assert.Equal("application/json", hit.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_prompt_beyond_the_threshold_misses_and_goes_to_the_model()
    {
        Assert.True(Distance(Question, Unrelated) > Threshold);
        await RouteAsync();
        await AskAsync(Question);

        _fake.ReplyText = "A cat walks into a bar.";
        var (other, body) = await AskAsync(Unrelated);

        Assert.Equal("Miss", Header(other, "X-Cache-Status"));
        Assert.Equal(2, ChatCalls);
        Assert.Equal("A cat walks into a bar.", JsonNode.Parse(body)!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Exact_caching_answers_the_same_prompt_before_any_embeddings_call()
    {
        await RouteAsync(new JsonObject { ["exact_caching"] = true });
        await AskAsync(Question);
        var calls = _fake.Requests.Count;

        var (again, body) = await AskAsync(Question);

        Assert.Equal("Hit", Header(again, "X-Cache-Status"));
        Assert.Equal(calls, _fake.Requests.Count); // neither the embeddings model nor the chat model
        Assert.Equal("Paris.", JsonNode.Parse(body)!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_streaming_client_gets_the_cached_answer_as_a_stream_the_openai_sdk_reads()
    {
        await RouteAsync();
        _fake.ReplyText = "Paris is the capital of France, on the Seine, and has been for centuries.";
        var (miss, _) = await AskAsync(Question, stream: true); // stored from a stream: assembled on the way
        Assert.Equal("Miss", Header(miss, "X-Cache-Status"));

        var (hit, events) = await AskAsync(Paraphrase, stream: true);
        Assert.Equal("Hit", Header(hit, "X-Cache-Status"));
        Assert.Equal("text/event-stream", hit.Content.Headers.ContentType!.MediaType);
        Assert.EndsWith("data: [DONE]\n\n", events, StringComparison.Ordinal);

        var sdk = await OpenAiSdk.RunAsync(new JsonObject
        {
            ["baseURL"] = $"{_proxy.BaseAddress!.ToString().TrimEnd('/')}/{_name}/v1",
            ["apiKey"] = "unused",
            ["model"] = "gpt-4o",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Paraphrase }),
            ["stream"] = true,
        });
        Assert.True(sdk["ok"]!.GetValue<bool>(), sdk.ToJsonString());
        Assert.Equal(_fake.ReplyText, sdk["content"]!.GetValue<string>());
        Assert.Equal("stop", sdk["finish_reason"]!.GetValue<string>());
        Assert.True(sdk["chunks"]!.GetValue<int>() > 2);
        Assert.Equal(1, ChatCalls);
    }

    [Fact]
    public async Task An_anthropic_format_client_gets_a_hit_as_anthropics_events_the_anthropic_sdk_reads()
    {
        await RouteAsync(llmFormat: "anthropic");
        async Task<JsonObject> SdkAsync(string prompt, bool stream) => await AnthropicSdk.RunAsync(new JsonObject
        {
            ["baseURL"] = $"{_proxy.BaseAddress!.ToString().TrimEnd('/')}/{_name}",
            ["apiKey"] = "client-key",
            ["model"] = "gpt-4o",
            ["max_tokens"] = 64,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }),
            ["stream"] = stream,
        });

        var whole = await SdkAsync(Question, stream: false);
        var streamed = await SdkAsync(Paraphrase, stream: true);

        Assert.True(streamed["ok"]!.GetValue<bool>(), streamed.ToJsonString());
        Assert.Equal(whole["text"]!.GetValue<string>(), streamed["text"]!.GetValue<string>());
        Assert.Equal("end_turn", streamed["stop_reason"]!.GetValue<string>());
        Assert.Contains("message_start", streamed["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal(1, ChatCalls);
    }

    [Fact]
    public async Task With_cache_control_no_store_bypasses_and_no_cache_refreshes_the_stored_answer()
    {
        await RouteAsync(new JsonObject { ["cache_control"] = true, ["exact_caching"] = true });
        var (noStore, _) = await AskAsync(Question, cacheControl: "no-store");
        Assert.Equal("Bypass", Header(noStore, "X-Cache-Status"));
        Assert.Equal(0, EmbeddingCalls); // nothing looked up, nothing stored

        var (stored, _) = await AskAsync(Question);
        Assert.Equal("Miss", Header(stored, "X-Cache-Status"));
        var (refreshed, _) = await AskAsync(Question, cacheControl: "no-cache");
        Assert.Equal("Refresh", Header(refreshed, "X-Cache-Status"));
        Assert.Equal(3, ChatCalls); // no-store, the miss, the refresh

        var (hit, _) = await AskAsync(Question, cacheControl: "max-age=60");
        Assert.Equal("Hit", Header(hit, "X-Cache-Status"));
        Assert.Equal(3, ChatCalls);
    }

    [Fact]
    public async Task A_failed_embeddings_call_goes_to_the_model_uncached_or_with_stop_on_failure_answers_500()
    {
        await RouteAsync();
        _fake.Misbehave("text-embedding-3-small", new FakeLlmProvider.ProviderFault(Status: 500, Message: "embeddings down"));

        var (bypassed, body) = await AskAsync(Question);
        Assert.Equal(HttpStatusCode.OK, bypassed.StatusCode);
        Assert.Equal("Bypass", Header(bypassed, "X-Cache-Status"));
        Assert.Equal("Paris.", JsonNode.Parse(body)!["choices"]![0]!["message"]!["content"]!.GetValue<string>());

        // An admin write is served by the edge that took it before it answers.
        var (patched, _) = await _admin.SendJsonAsync(HttpMethod.Patch, $"/plugins/{await PluginIdAsync()}", new JsonObject { ["config"] = new JsonObject { ["stop_on_failure"] = true } });
        Assert.Equal(200, patched);
        var (stopped, error) = await AskAsync(Question);
        Assert.Equal(HttpStatusCode.InternalServerError, stopped.StatusCode);
        Assert.Contains("semantic cache lookup failed: the embeddings call failed: embeddings down", JsonNode.Parse(error)!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_tokens_a_hit_saves_are_metered_per_consumer_and_model_as_their_own_counter()
    {
        var consumer = _name + "-c";
        await RouteAsync(before: ("key-auth", new JsonObject()));
        await _admin.CreateAsync("/consumers", new { username = consumer });
        await _admin.CreateAsync($"/consumers/{consumer}/key-auth", new { key = consumer + "-key" });
        (_fake.PromptTokens, _fake.CompletionTokens) = (40, 12);
        await AskAsync(Question, apiKey: consumer + "-key");
        var (hit, _) = await AskAsync(Paraphrase, apiKey: consumer + "-key");
        await AskAsync(Paraphrase, stream: true, apiKey: consumer + "-key");
        Assert.Equal("Hit", Header(hit, "X-Cache-Status"));

        var range = $"from={DateTimeOffset.UtcNow.AddHours(-1):yyyy-MM-ddTHH:mm:ssZ}&to={DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}";
        JsonObject counters = [];
        await Poll.UntilAsync(
            async () =>
            {
                var (_, usage) = await _admin.GetJsonAsync($"/billing/usage?service={_name}&consumer={consumer}&{range}");
                var row = usage!["data"]!.AsArray().SingleOrDefault();
                counters = row?["counters"]?.AsObject() ?? [];
                return row?["requests"]!.GetValue<long>() >= 3;
            },
            TimeSpan.FromSeconds(20),
            "usage of three requests");

        Assert.Equal(2 * (40 + 12), counters["ai_tokens_saved:openai/gpt-4o"]!.GetValue<long>());
        Assert.Equal(40, counters["ai_prompt_tokens:openai/gpt-4o"]!.GetValue<long>()); // the model was asked once
        Assert.Equal(3 * 40, counters["ai_prompt_tokens:openai/text-embedding-3-small"]!.GetValue<long>()); // three prompts embedded
    }

    private async Task<string> PluginIdAsync()
    {
        var (_, plugins) = await _admin.GetJsonAsync($"/services/{_name}/plugins");
        return plugins!["data"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "ai-semantic-cache")!["id"]!.GetValue<string>();
    }

    private static double Distance(string a, string b) => SemanticVectors.Distance(
        SemanticVectors.Prepare(FakeEmbeddings.Vector(a), FakeEmbeddings.Dimensions, DistanceMetric.Cosine).Vector,
        SemanticVectors.Prepare(FakeEmbeddings.Vector(b), FakeEmbeddings.Dimensions, DistanceMetric.Cosine).Vector,
        DistanceMetric.Cosine);
}
