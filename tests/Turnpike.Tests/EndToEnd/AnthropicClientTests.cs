using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>
/// <c>llm_format: anthropic</c>: the official Anthropic SDK as the client, any provider behind — whole answers,
/// streams assembled by the SDK from Anthropic's events, tool use both ways, and errors in Anthropic's shape.
/// </summary>
[Collection(DevGatewayCollection.Name)]
public sealed class AnthropicClientTests(DevGatewayFixture fixture) : IAsyncLifetime
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "aic-" + Guid.NewGuid().ToString("N")[..8];
    private FakeLlmProvider _fake = null!;

    public static TheoryData<string> Providers => ["openai", "anthropic", "gemini", "ollama"];

    public async Task InitializeAsync() => _fake = await FakeLlmProvider.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private async Task RouteAsync(string provider, string plugin = "ai-proxy")
    {
        var target = AiRoutes.Config(_fake, provider);
        var config = plugin == "ai-proxy" ? (JsonObject)target.DeepClone() : new JsonObject { ["targets"] = new JsonArray(target) };
        config["llm_format"] = "anthropic";
        await AiRoutes.CreateAsync(_admin, _proxy, _name, (plugin, config));
    }

    private Task<JsonObject> SdkAsync(string provider, bool stream, JsonObject? extra = null) => AnthropicSdk.RunAsync(new JsonObject
    {
        ["baseURL"] = $"{_proxy.BaseAddress!.ToString().TrimEnd('/')}/{_name}",
        ["apiKey"] = "client-key",
        ["model"] = AiRoutes.ModelOf(provider),
        ["max_tokens"] = 64,
        ["system"] = "You are terse.",
        ["messages"] = JsonNode.Parse("""[{"role": "user", "content": "Say hello."}]"""),
        ["stream"] = stream,
    }.Merge(extra));

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Anthropic_sdk_gets_any_providers_answer_as_a_message_whole_or_streamed(string provider)
    {
        await RouteAsync(provider);
        (_fake.PromptTokens, _fake.CompletionTokens) = (13, 5);

        foreach (var stream in new[] { false, true })
        {
            var result = await SdkAsync(provider, stream);

            Assert.True(result["ok"]!.GetValue<bool>(), result.ToJsonString());
            Assert.Equal(_fake.ReplyText, result["text"]!.GetValue<string>());
            Assert.Equal("message", result["type"]!.GetValue<string>());
            Assert.Equal("end_turn", result["stop_reason"]!.GetValue<string>());
            Assert.StartsWith("msg_", result["id"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(5, result["usage"]!["output_tokens"]!.GetValue<int>());
            if (stream)
            {
                var events = result["events"]!.AsArray().Select(e => e!.GetValue<string>()).ToArray();
                Assert.Equal("message_start", events[0]);
                Assert.Equal("message_stop", events[^1]);
                Assert.Contains("content_block_delta", events);
                Assert.Equal("message_delta", events[^2]);
            }
            else
            {
                Assert.Equal(13, result["usage"]!["input_tokens"]!.GetValue<int>());
            }
        }

        // The system prompt reached the provider as the provider takes one (here: the request's text somewhere in it).
        Assert.Contains("You are terse.", _fake.Requests[0].Body!.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("gemini")]
    public async Task Tools_declared_in_anthropics_shape_come_back_as_tool_use_blocks_streamed_or_not(string provider)
    {
        await RouteAsync(provider);
        _fake.ToolCall = ("get_weather", """{"city":"Oslo"}""");
        var tools = new JsonObject
        {
            ["tools"] = JsonNode.Parse("""[{"name":"get_weather","description":"Weather now","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]"""),
        };

        foreach (var stream in new[] { false, true })
        {
            var result = await SdkAsync(provider, stream, tools);

            Assert.True(result["ok"]!.GetValue<bool>(), result.ToJsonString());
            Assert.Equal("tool_use", result["stop_reason"]!.GetValue<string>());
            var use = Assert.Single(result["tool_uses"]!.AsArray())!;
            Assert.Equal("get_weather", use["name"]!.GetValue<string>());
            Assert.Equal("Oslo", use["input"]!["city"]!.GetValue<string>());
            Assert.False(string.IsNullOrEmpty(use["id"]!.GetValue<string>()));
        }

        var declared = provider == "gemini"
            ? _fake.Requests[0].Body!["tools"]![0]!["functionDeclarations"]![0]!["name"]
            : _fake.Requests[0].Body!["tools"]![0]!["function"]!["name"];
        Assert.Equal("get_weather", declared!.GetValue<string>());
    }

    [Fact]
    public async Task A_tool_result_turn_goes_to_the_provider_as_its_tool_result()
    {
        await RouteAsync("openai");
        var conversation = new JsonObject
        {
            ["messages"] = JsonNode.Parse("""
                [{"role": "user", "content": "Weather in Oslo?"},
                 {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Oslo"}}]},
                 {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "Sunny"}]}]
                """),
        };

        var result = await SdkAsync("openai", stream: false, conversation);

        Assert.True(result["ok"]!.GetValue<bool>(), result.ToJsonString());
        var sent = _fake.Requests[0].Body!["messages"]!.AsArray();
        Assert.Equal("get_weather", sent[2]!["tool_calls"]![0]!["function"]!["name"]!.GetValue<string>());
        Assert.Equal("tool", sent[3]!["role"]!.GetValue<string>());
        Assert.Equal("toolu_1", sent[3]!["tool_call_id"]!.GetValue<string>());
        Assert.Equal("Sunny", sent[3]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_providers_429_reaches_the_sdk_as_anthropics_rate_limit_error_through_ai_proxy_advanced()
    {
        await RouteAsync("gemini", "ai-proxy-advanced");
        _fake.Error = (429, "slow down");

        var result = await SdkAsync("gemini", stream: false);

        Assert.False(result["ok"]!.GetValue<bool>());
        Assert.Equal(429, result["status"]!.GetValue<int>());
        Assert.Equal("rate_limit_error", result["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_body_without_messages_gets_anthropics_400()
    {
        await RouteAsync("openai");

        using var response = await _proxy.PostAsync($"/{_name}/v1/messages", new StringContent("""{"model": "gpt-4o", "max_tokens": 5}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("error", body["type"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", body["error"]!["type"]!.GetValue<string>());
        Assert.Empty(_fake.Requests);
    }
}
