using System.Net;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>
/// ai-proxy end to end: the official OpenAI SDK talks to the gateway, which talks to a fake provider speaking
/// each provider's real wire format. What the SDK sees must be what the provider said, in OpenAI's terms.
/// </summary>
[Collection(DevGatewayCollection.Name)]
public sealed class AiProxyTests(DevGatewayFixture fixture) : IAsyncLifetime
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "ai-" + Guid.NewGuid().ToString("N")[..8];
    private FakeLlmProvider _fake = null!;

    public static TheoryData<string> Providers => [.. AiRoutes.Providers];

    public async Task InitializeAsync() => _fake = await FakeLlmProvider.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private string BaseUrl => $"{fixture.Edge.Proxy.BaseAddress!.ToString().TrimEnd('/')}/{_name}/v1";

    private static readonly object[] Conversation =
    [
        new { role = "system", content = "You are terse." },
        new { role = "user", content = "Say hello." },
    ];

    /// <summary>A system prompt, a tool call and its result: what each provider's translation must carry across.</summary>
    private static readonly object[] ToolConversation =
    [
        new { role = "system", content = "Be brief." },
        new { role = "user", content = "Weather in Oslo?" },
        new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = "call_1", type = "function", function = new { name = "get_weather", arguments = """{"city":"Oslo"}""" } } } },
        new { role = "tool", tool_call_id = "call_1", content = "Sunny" },
    ];

    private Task<JsonObject> SdkAsync(object? extra = null, bool stream = false, string? model = null) => OpenAiSdk.RunAsync(new JsonObject
    {
        ["baseURL"] = BaseUrl,
        ["apiKey"] = "client-key",
        ["model"] = model,
        ["messages"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Conversation)),
        ["stream"] = stream,
    }.Merge(extra));

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Openai_sdk_gets_the_providers_reply_finish_reason_and_usage_in_openai_shape(string provider)
    {
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy", AiRoutes.Config(_fake, provider)));
        _fake.PromptTokens = 13;
        _fake.CompletionTokens = 5;

        var result = await SdkAsync(model: AiRoutes.ModelOf(provider));

        Assert.True(result["ok"]!.GetValue<bool>(), result.ToJsonString());
        Assert.Equal(_fake.ReplyText, result["content"]!.GetValue<string>());
        Assert.Equal("stop", result["finish_reason"]!.GetValue<string>());
        Assert.Equal((13, 5, 18), Usage(result["usage"]));
        Assert.False(string.IsNullOrEmpty(result["id"]!.GetValue<string>()));
        Assert.True(result["created"]!.GetValue<long>() > 0);
        Assert.False(string.IsNullOrEmpty(result["model"]!.GetValue<string>()));

        // The provider got the gateway's credential in its own place, never the client's key.
        var sent = _fake.Requests.Single();
        Assert.DoesNotContain(sent.Headers, h => h.Value.Contains("client-key", StringComparison.Ordinal));
        switch (provider)
        {
            case "openai" or "mistral":
                Assert.Equal("Bearer " + AiRoutes.ProviderKey, sent.Headers["authorization"]);
                break;
            case "azure":
                Assert.Equal(AiRoutes.ProviderKey, sent.Headers["api-key"]);
                break;
            case "anthropic":
                Assert.Equal(AiRoutes.ProviderKey, sent.Headers["x-api-key"]);
                break;
            case "gemini":
                Assert.Contains("key=" + AiRoutes.ProviderKey, sent.Query, StringComparison.Ordinal);
                break;
        }
    }

    [Theory]
    [InlineData("openai", 13)]
    [InlineData("anthropic", 17)]
    [InlineData("gemini", 13)]
    public async Task Cached_prompt_tokens_are_reported_inside_prompt_tokens_as_openai_counts_them(string provider, long promptTokens)
    {
        // Anthropic counts cache reads apart from input_tokens; OpenAI and Gemini count them inside the prompt.
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy", AiRoutes.Config(_fake, provider)));
        (_fake.PromptTokens, _fake.CompletionTokens, _fake.CachedTokens) = (13, 5, 4);
        foreach (var stream in new[] { false, true })
        {
            var usage = (await SdkAsync(stream: stream, model: AiRoutes.ModelOf(provider)))["usage"]!;
            Assert.Equal(promptTokens, usage["prompt_tokens"]!.GetValue<long>());
            Assert.Equal(4, usage["prompt_tokens_details"]!["cached_tokens"]!.GetValue<long>());
            Assert.Equal(promptTokens + 5, usage["total_tokens"]!.GetValue<long>());
        }
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    [InlineData("gemini")]
    [InlineData("ollama")]
    public async Task Streamed_chunks_reach_the_client_as_the_provider_sends_them_not_at_the_end(string provider)
    {
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy", AiRoutes.Config(_fake, provider)));
        _fake.ChunkDelayMs = 400; // at least two more events follow the first
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{_name}/v1/chat/completions")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { messages = Conversation, stream = true }),
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var response = await _proxy.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync();
        var firstAt = clock.Elapsed;
        var rest = await reader.ReadToEndAsync();
        var endAt = clock.Elapsed;

        Assert.StartsWith("data: {", first, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", rest, StringComparison.Ordinal);
        Assert.True(endAt - firstAt > TimeSpan.FromMilliseconds(500), $"first chunk at {firstAt}, end at {endAt}: the stream was held back");
    }

    [Fact]
    public async Task Preserve_passes_the_providers_own_format_through_with_the_credential_added()
    {
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy", AiRoutes.Config(_fake, "anthropic", routeType: "preserve")));
        var native = new { model = "claude-sonnet-4", max_tokens = 50, messages = new[] { new { role = "user", content = "Hi" } } };
        var (status, body, response) = await AiRoutes.PostChatAsync(_proxy, $"/{_name}/v1/messages", native);
        response.Dispose();
        Assert.Equal(200, status);
        Assert.Equal("message", body!["type"]!.GetValue<string>()); // Anthropic's answer, untranslated
        Assert.Equal(_fake.ReplyText, body["content"]![0]!["text"]!.GetValue<string>());
        var sent = _fake.Requests.Single(r => r.Method == "POST"); // the readiness probes' GETs went through too
        Assert.Equal("/v1/messages", sent.Path);
        Assert.Equal(50, sent.Body!["max_tokens"]!.GetValue<int>());
        Assert.Equal("Hi", sent.Body["messages"]![0]!["content"]!.GetValue<string>());
        Assert.Equal(AiRoutes.ProviderKey, sent.Headers["x-api-key"]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Openai_sdk_streams_every_providers_reply_chunk_by_chunk_with_usage_at_the_end(string provider)
    {
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy", AiRoutes.Config(_fake, provider)));
        _fake.PromptTokens = 21;
        _fake.CompletionTokens = 9;

        var result = await SdkAsync(stream: true, model: AiRoutes.ModelOf(provider));

        Assert.True(result["ok"]!.GetValue<bool>(), result.ToJsonString());
        Assert.Equal(_fake.ReplyText, result["content"]!.GetValue<string>());
        Assert.Equal("stop", result["finish_reason"]!.GetValue<string>());
        Assert.Equal((21, 9, 30), Usage(result["usage"]));
        Assert.True(result["chunks"]!.GetValue<int>() >= 3, "the reply came in pieces: " + result.ToJsonString());
        Assert.Single(result["ids"]!.AsArray()); // one id across the stream, as OpenAI's chunks carry

        // The provider was asked to stream (and, where it takes the option, to report usage in the stream).
        var sent = _fake.Requests.Single();
        if (provider is "openai" or "azure")
        {
            Assert.True(sent.Body!["stream_options"]!["include_usage"]!.GetValue<bool>());
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Tool_calls_come_back_as_openai_tool_calls_streamed_or_not(string provider)
    {
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy", AiRoutes.Config(_fake, provider)));
        _fake.ToolCall = ("get_weather", """{"city":"Oslo"}""");
        var tools = new JsonObject
        {
            ["tools"] = JsonNode.Parse("""[{"type":"function","function":{"name":"get_weather","description":"Weather now","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]"""),
        };

        foreach (var stream in new[] { false, true })
        {
            var result = await SdkAsync(tools, stream, AiRoutes.ModelOf(provider));
            Assert.True(result["ok"]!.GetValue<bool>(), result.ToJsonString());
            Assert.Equal("tool_calls", result["finish_reason"]!.GetValue<string>());
            var call = Assert.Single(result["tool_calls"]!.AsArray())!;
            var name = stream ? call["name"] : call["function"]!["name"];
            var arguments = stream ? call["arguments"] : call["function"]!["arguments"];
            Assert.Equal("get_weather", name!.GetValue<string>());
            Assert.Equal("Oslo", JsonNode.Parse(arguments!.GetValue<string>())!["city"]!.GetValue<string>());
            Assert.False(string.IsNullOrEmpty((stream ? call["id"] : call["id"])?.GetValue<string>()));
        }

        // The tool declaration reached the provider in its own terms.
        var declared = provider switch
        {
            "anthropic" => _fake.Requests[0].Body!["tools"]![0]!["name"],
            "gemini" => _fake.Requests[0].Body!["tools"]![0]!["functionDeclarations"]![0]!["name"],
            _ => _fake.Requests[0].Body!["tools"]![0]!["function"]!["name"],
        };
        Assert.Equal("get_weather", declared!.GetValue<string>());
    }

    [Theory]
    [InlineData("anthropic", "length")]
    [InlineData("anthropic", "content_filter")]
    [InlineData("gemini", "length")]
    [InlineData("gemini", "content_filter")]
    [InlineData("ollama", "length")]
    [InlineData("openai", "length")]
    public async Task Provider_stop_reasons_map_to_openai_finish_reasons(string provider, string finish)
    {
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy", AiRoutes.Config(_fake, provider)));
        _fake.FinishReason = finish;
        Assert.Equal(finish, (await SdkAsync(model: AiRoutes.ModelOf(provider)))["finish_reason"]!.GetValue<string>());
        Assert.Equal(finish, (await SdkAsync(stream: true, model: AiRoutes.ModelOf(provider)))["finish_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Anthropic_gets_system_apart_tool_results_as_user_blocks_max_tokens_and_the_configured_key_only()
    {
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy", AiRoutes.Config(_fake, "anthropic", options: new JsonObject { ["temperature"] = 0.2 })));
        var (status, body, response) = await AiRoutes.PostChatAsync(_proxy, $"/{_name}/v1/chat/completions", new { messages = ToolConversation });
        using (response)
        {
            Assert.Equal(200, status);
            Assert.Equal("anthropic/claude-sonnet-4", string.Join(",", response.Headers.GetValues("X-Turnpike-LLM-Model")));
            Assert.Equal("chat.completion", body!["object"]!.GetValue<string>());
        }

        var (several, error, refused) = await AiRoutes.PostChatAsync(_proxy, $"/{_name}/v1/chat/completions", new { n = 2, messages = Conversation });
        refused.Dispose();
        Assert.Equal((400, "n > 1 is not supported for the anthropic provider"), (several, error!["error"]!["message"]!.GetValue<string>()));

        var sent = _fake.Requests.Single();
        Assert.Equal(AiRoutes.ProviderKey, sent.Headers["x-api-key"]);
        Assert.False(sent.Headers.ContainsKey("authorization")); // the client's own credential stays at the gateway
        Assert.Equal("2023-06-01", sent.Headers["anthropic-version"]);
        Assert.Equal("Be brief.", sent.Body!["system"]!.GetValue<string>());
        Assert.Equal(4096, sent.Body["max_tokens"]!.GetValue<int>());
        Assert.Equal(0.2, sent.Body["temperature"]!.GetValue<double>());
        var messages = sent.Body["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "user"], messages.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal("tool_use", messages[1]!["content"]![0]!["type"]!.GetValue<string>());
        Assert.Equal("Oslo", messages[1]!["content"]![0]!["input"]!["city"]!.GetValue<string>());
        Assert.Equal("tool_result", messages[2]!["content"]![0]!["type"]!.GetValue<string>());
        Assert.Equal("call_1", messages[2]!["content"]![0]!["tool_use_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Gemini_gets_system_instruction_model_role_function_responses_and_the_key_as_query_parameter()
    {
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy", AiRoutes.Config(_fake, "gemini", options: new JsonObject { ["max_tokens"] = 100 })));
        var (status, _, response) = await AiRoutes.PostChatAsync(_proxy, $"/{_name}/v1/chat/completions", new { messages = ToolConversation });
        response.Dispose();
        Assert.Equal(200, status);
        var sent = _fake.Requests.Single();
        Assert.Contains("key=" + AiRoutes.ProviderKey, sent.Query, StringComparison.Ordinal);
        Assert.Equal("Be brief.", sent.Body!["systemInstruction"]!["parts"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(100, sent.Body["generationConfig"]!["maxOutputTokens"]!.GetValue<int>());
        var contents = sent.Body["contents"]!.AsArray();
        Assert.Equal(["user", "model", "user"], contents.Select(c => c!["role"]!.GetValue<string>()));
        Assert.Equal("get_weather", contents[1]!["parts"]![0]!["functionCall"]!["name"]!.GetValue<string>());
        Assert.Equal("get_weather", contents[2]!["parts"]![0]!["functionResponse"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Gemini_gets_the_answers_to_several_tool_calls_in_one_turn_and_tool_schemas_it_accepts()
    {
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy", AiRoutes.Config(_fake, "gemini")));
        var (status, _, response) = await AiRoutes.PostChatAsync(_proxy, $"/{_name}/v1/chat/completions", new
        {
            messages = new object[]
            {
                new { role = "user", content = "Weather in Oslo and Bergen?" },
                new
                {
                    role = "assistant", content = (string?)null,
                    tool_calls = new[]
                    {
                        new { id = "call_1", type = "function", function = new { name = "get_weather", arguments = """{"city":"Oslo"}""" } },
                        new { id = "call_2", type = "function", function = new { name = "get_weather", arguments = """{"city":"Bergen"}""" } },
                    },
                },
                new { role = "tool", tool_call_id = "call_1", content = "Sunny" },
                new { role = "tool", tool_call_id = "call_2", content = "Rain" },
            },
            tools = JsonNode.Parse("""[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","additionalProperties":false,"properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}}]"""),
        });
        response.Dispose();
        Assert.Equal(200, status);
        var sent = _fake.Requests.Single().Body!;
        var contents = sent["contents"]!.AsArray();
        Assert.Equal(["user", "model", "user"], contents.Select(c => c!["role"]!.GetValue<string>()));
        Assert.Equal(2, contents[1]!["parts"]!.AsArray().Count);
        Assert.Equal(["Sunny", "Rain"], contents[2]!["parts"]!.AsArray().Select(p => p!["functionResponse"]!["response"]!["content"]!.GetValue<string>()));
        var parameters = sent["tools"]![0]!["functionDeclarations"]![0]!["parameters"]!.AsObject();
        Assert.False(parameters.ContainsKey("additionalProperties"));
        Assert.Equal("string", parameters["properties"]!["city"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Images_reach_anthropic_and_gemini_inline_and_a_linked_image_is_refused_where_a_provider_takes_none()
    {
        const string Png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
        object Picture(string url) => new
        {
            messages = new object[]
            {
                new { role = "user", content = new object[] { new { type = "text", text = "What is this?" }, new { type = "image_url", image_url = new { url } } } },
            },
        };
        foreach (var provider in new[] { "anthropic", "gemini" })
        {
            var name = $"{_name}-{provider}";
            await AiRoutes.CreateAsync(_admin, _proxy, name, ("ai-proxy", AiRoutes.Config(_fake, provider)));
            var (status, _, response) = await AiRoutes.PostChatAsync(_proxy, $"/{name}/v1/chat/completions", Picture("data:image/png;base64," + Png));
            response.Dispose();
            Assert.Equal(200, status);
        }

        var anthropic = _fake.Requests[0].Body!["messages"]![0]!["content"]![1]!;
        Assert.Equal(("image", "base64", "image/png", Png), (anthropic["type"]!.GetValue<string>(), anthropic["source"]!["type"]!.GetValue<string>(), anthropic["source"]!["media_type"]!.GetValue<string>(), anthropic["source"]!["data"]!.GetValue<string>()));
        var gemini = _fake.Requests[1].Body!["contents"]![0]!["parts"]![1]!["inlineData"]!;
        Assert.Equal(("image/png", Png), (gemini["mimeType"]!.GetValue<string>(), gemini["data"]!.GetValue<string>()));

        var (linked, error, answer) = await AiRoutes.PostChatAsync(_proxy, $"/{_name}-gemini/v1/chat/completions", Picture("https://example.com/cat.png"));
        answer.Dispose();
        Assert.Equal(400, linked);
        Assert.Equal("images must be given as data: URLs (base64) for the gemini provider", error!["error"]!["message"]!.GetValue<string>());
        Assert.Equal(2, _fake.Requests.Count);
    }

    [Fact]
    public async Task Kongs_llama2_provider_with_the_ollama_format_speaks_ollamas_api()
    {
        var config = AiRoutes.Config(_fake, "ollama");
        config["model"]!["provider"] = "llama2";
        config["model"]!["options"]!["llama2_format"] = "ollama";
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy", config));
        var result = await SdkAsync(model: AiRoutes.ModelOf("ollama"));
        Assert.True(result["ok"]!.GetValue<bool>(), result.ToJsonString());
        Assert.Equal(_fake.ReplyText, result["content"]!.GetValue<string>());
        Assert.Equal("/api/chat", _fake.Requests.Single().Path);
    }

    [Fact]
    public async Task Legacy_completions_work_natively_for_openai_and_as_a_one_message_chat_for_anthropic()
    {
        foreach (var provider in new[] { "openai", "anthropic" })
        {
            var name = $"{_name}-{provider}";
            await AiRoutes.CreateAsync(_admin, _proxy, name, ("ai-proxy", AiRoutes.Config(_fake, provider, routeType: "llm/v1/completions")));
            foreach (var stream in new[] { false, true })
            {
                var result = await OpenAiSdk.RunAsync(new
                {
                    baseURL = $"{_proxy.BaseAddress!.ToString().TrimEnd('/')}/{name}/v1",
                    apiKey = "k",
                    model = AiRoutes.ModelOf(provider),
                    kind = "completions",
                    prompt = "Say hello.",
                    stream,
                });
                Assert.True(result["ok"]!.GetValue<bool>(), result.ToJsonString());
                Assert.Equal(_fake.ReplyText, result["content"]!.GetValue<string>());
                Assert.Equal((11, 7, 18), Usage(result["usage"]));
            }
        }

        Assert.Equal("Say hello.", _fake.Requests[0].Body!["prompt"]!.GetValue<string>());
        Assert.Equal("Say hello.", _fake.Requests[^1].Body!["messages"]![0]!["content"]![0]!["text"]!.GetValue<string>()); // as Anthropic content blocks
    }

    [Theory]
    [InlineData("openai", 429)]
    [InlineData("anthropic", 400)]
    [InlineData("gemini", 403)]
    [InlineData("ollama", 404)]
    public async Task Provider_errors_reach_the_sdk_with_their_status_in_openai_error_shape(string provider, int status)
    {
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy", AiRoutes.Config(_fake, provider)));
        _fake.Error = (status, "the model is resting");
        foreach (var stream in new[] { false, true })
        {
            var result = await SdkAsync(stream: stream, model: AiRoutes.ModelOf(provider));
            Assert.False(result["ok"]!.GetValue<bool>());
            Assert.Equal(status, result["status"]!.GetValue<int>());
            Assert.Contains("the model is resting", result["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Bad_requests_get_400_in_openai_error_shape_and_never_reach_the_provider()
    {
        var config = AiRoutes.Config(_fake, "openai");
        config["response_streaming"] = "deny";
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy", config));
        var path = $"/{_name}/v1/chat/completions";
        var cases = new (object Body, string Message)[]
        {
            (new { model = "gpt-3.5-turbo", messages = Conversation }, "cannot use own model - must be: gpt-4o"),
            (new { messages = Array.Empty<object>() }, "request format not recognised: 'messages' must be a non-empty array for llm/v1/chat"),
            (new { messages = Conversation, stream = true }, "response streaming is not enabled for this LLM"),
        };
        foreach (var (body, message) in cases)
        {
            var (status, error, response) = await AiRoutes.PostChatAsync(_proxy, path, body);
            response.Dispose();
            Assert.Equal(400, status);
            Assert.Equal(message, error!["error"]!["message"]!.GetValue<string>());
            Assert.Equal("invalid_request_error", error["error"]!["type"]!.GetValue<string>());
        }

        var large = new { messages = new object[] { new { role = "user", content = new string('x', 2 << 20) } } };
        var (tooLarge, tooLargeError, tooLargeResponse) = await AiRoutes.PostChatAsync(_proxy, path, large);
        tooLargeResponse.Dispose();
        Assert.Equal((413, "request body is too large"), (tooLarge, tooLargeError!["error"]!["message"]!.GetValue<string>()));

        using var notJson = await _proxy.PostAsync(path, new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("this LLM route only supports application/json requests", JsonNode.Parse(await notJson.Content.ReadAsStringAsync())!["error"]!["message"]!.GetValue<string>());
        Assert.Empty(_fake.Requests);

        // The SDK reports the gateway's own refusals like OpenAI's.
        var sdk = await SdkAsync(model: "gpt-3.5-turbo");
        Assert.Equal(400, sdk["status"]!.GetValue<int>());
        Assert.Contains("cannot use own model", sdk["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Model_choice_is_the_clients_only_when_allowed_and_the_configured_key_replaces_the_clients_unless_allowed()
    {
        var config = AiRoutes.Config(_fake, "openai");
        config["model"]!["allow_override"] = true;
        config["auth"]!["allow_override"] = true;
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy", config));
        var result = await SdkAsync(model: "gpt-4o-mini");
        Assert.True(result["ok"]!.GetValue<bool>(), result.ToJsonString());
        var sent = _fake.Requests.Single();
        Assert.Equal("gpt-4o-mini", sent.Body!["model"]!.GetValue<string>());
        Assert.Equal("Bearer client-key", sent.Headers["authorization"]);
    }

    [Fact]
    public async Task Configuration_errors_name_the_field()
    {
        var cases = new (JsonObject Config, string Field, string Message)[]
        {
            (new JsonObject { ["model"] = new JsonObject { ["provider"] = "openai" } }, "config.route_type", "required field missing"),
            (new JsonObject { ["route_type"] = "llm/v1/chat", ["model"] = new JsonObject { ["provider"] = "watson" } }, "config.model.provider", "expected one of: openai, azure, anthropic, gemini, mistral, llama2, ollama"),
            (new JsonObject { ["route_type"] = "llm/v1/chat", ["model"] = new JsonObject { ["provider"] = "ollama", ["name"] = "llama3" } }, "config.@entity", "must set 'model.options.upstream_url' for self-hosted providers/models"),
            (new JsonObject { ["route_type"] = "llm/v1/chat", ["model"] = new JsonObject { ["provider"] = "openai", ["options"] = new JsonObject { ["temperature"] = 9 } } }, "config.model.options.temperature", "value should be between 0 and 5"),
            (new JsonObject { ["route_type"] = "llm/v1/chat", ["auth"] = new JsonObject { ["header_name"] = "x" }, ["model"] = new JsonObject { ["provider"] = "openai" } }, "config.@entity", "all or none of these fields must be set: 'config.auth.header_name', 'config.auth.header_value'"),
        };
        await _admin.CreateAsync("/services", new { name = _name, url = "http://127.0.0.1:9" });
        foreach (var (config, field, message) in cases)
        {
            var (status, body) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new JsonObject { ["name"] = "ai-proxy", ["config"] = config });
            Assert.Equal(400, status);
            Assert.Equal(message, Field(body!["fields"]!, field), StringComparer.Ordinal);
        }

        var (_, plugins) = await _admin.GetJsonAsync($"/services/{_name}/plugins");
        Assert.Empty(plugins!["data"]!.AsArray());
    }

    /// <summary>A field's error in Kong's nested <c>fields</c> object, by dotted path.</summary>
    private static string? Field(JsonNode fields, string path) =>
        path.Split('.').Aggregate((JsonNode?)fields, (node, part) => node?[part]) switch
        {
            JsonArray several => several[0]!.GetValue<string>(), // entity checks come as a list
            var one => one?.GetValue<string>(),
        };

    private static (long Prompt, long Completion, long Total) Usage(JsonNode? usage) =>
        (usage!["prompt_tokens"]!.GetValue<long>(), usage["completion_tokens"]!.GetValue<long>(), usage["total_tokens"]!.GetValue<long>());
}
