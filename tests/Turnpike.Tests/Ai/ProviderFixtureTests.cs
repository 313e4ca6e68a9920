using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Turnpike.Edge.Ai;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Ai;

/// <summary>
/// Each provider's translator against the same wire-format fixtures the fake provider serves
/// (<c>Fixtures/ai-proxy/&lt;provider&gt;/…</c>): OpenAI's request in, the provider's request out; the provider's answer
/// (whole or streamed) in, OpenAI's out. Expected files sit beside the answers they translate (<c>translated-*.json</c>).
/// </summary>
[Fast]
public sealed partial class ProviderFixtureTests
{
    private const string Model = "fixture-model";
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, string> Requests => new()
    {
        { "openai", "openai/chat" },
        { "mistral", "mistral/chat" },
        { "anthropic", "anthropic/messages" },
        { "gemini", "gemini/generate" },
        { "ollama", "ollama/chat" },
    };

    public static TheoryData<string, string> Answers => new()
    {
        { "openai", "openai/chat/response.json" },
        { "openai", "openai/chat/response-tool.json" },
        { "anthropic", "anthropic/messages/response.json" },
        { "anthropic", "anthropic/messages/response-tool.json" },
        { "gemini", "gemini/generate/response.json" },
        { "gemini", "gemini/generate/response-tool.json" },
        { "ollama", "ollama/chat/response.json" },
        { "ollama", "ollama/chat/response-tool.json" },
    };

    public static TheoryData<string, string> Streams => new()
    {
        { "openai", "openai/chat/stream-usage.sse" },
        { "openai", "openai/chat/stream-tool-usage.sse" },
        { "mistral", "mistral/chat/stream.sse" },
        { "mistral", "mistral/chat/stream-tool.sse" },
        { "anthropic", "anthropic/messages/stream.sse" },
        { "anthropic", "anthropic/messages/stream-tool.sse" },
        { "gemini", "gemini/generate/stream.sse" },
        { "gemini", "gemini/generate/stream-tool.sse" },
        { "ollama", "ollama/chat/stream.ndjson" },
        { "ollama", "ollama/chat/stream-tool.ndjson" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void An_openai_chat_request_becomes_the_providers_request(string provider, string api)
    {
        var request = AiFixtures.RenderJson("chat-request.json", Values(provider));
        var model = new LlmModel { Provider = provider, Name = Model };

        var sent = LlmProviders.Get(provider, null, null).ToProvider(request, Model, stream: false, model);

        AssertJson(api + "/request.json", provider, sent);
    }

    [Theory]
    [MemberData(nameof(Answers))]
    public void The_providers_whole_answer_becomes_an_openai_chat_completion(string provider, string fixture)
    {
        var answer = AiFixtures.RenderJson(fixture, Values(provider));

        var completion = LlmProviders.Get(provider, null, null).FromProvider(answer, Ids());

        AssertJson(Translated(fixture), provider, completion);
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void The_providers_stream_becomes_openai_chat_chunks_with_the_usage(string provider, string fixture)
    {
        var stream = LlmProviders.Get(provider, null, null).OpenStream(Ids());
        var chunks = new List<JsonObject>();
        foreach (var e in AiFixtures.Render(fixture, Values(provider)))
        {
            stream.Read(e.Name, e.Data, chunks);
        }

        stream.End(chunks);

        var translated = new JsonObject
        {
            ["chunks"] = new JsonArray([.. chunks]),
            ["finish_reason"] = stream.FinishReason,
            ["usage"] = stream.Usage?.ToJson(),
        };
        AssertJson(Translated(fixture), provider, translated);
    }

    /// <summary>The values every fixture is filled with here: a text reply, or a tool call in the tool fixtures.</summary>
    private static FixtureValues Values(string provider) => FixtureValues.For(
        Model,
        "Hello from the fake provider.",
        provider switch { "anthropic" => "end_turn", "gemini" => "STOP", _ => "stop" },
        promptTokens: 11,
        completionTokens: 7,
        cachedTokens: 3,
        ("get_weather", """{"city":"Oslo"}"""),
        id: "0123456789abcdef01234567",
        callId: "89abcdef0123456789abcdef",
        now: Now);

    private static ChatChunks Ids() => new("chatcmpl-turnpike", Now.ToUnixTimeSeconds(), Model);

    private static string Translated(string fixture) =>
        Path.GetDirectoryName(fixture)!.Replace('\\', '/') + "/translated-" + Path.GetFileNameWithoutExtension(fixture) + ".json";

    /// <summary>Equal JSON, tool call ids the translator made up (no id in the provider's answer) written <c>call_generated</c>.</summary>
    private static void AssertJson(string expectedFixture, string provider, JsonNode actual)
    {
        var normalized = GeneratedCallId().Replace(actual.ToJsonString(AiFixtures.Wire), "\"id\":\"call_generated\"");
        var expected = AiFixtures.RenderJson(expectedFixture, Values(provider));
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(normalized)), $"expected {expected.ToJsonString(AiFixtures.Wire)}\n but got {normalized}");
    }

    // Made up by ChatChunks.NewToolCallId; the fixtures' own call id is 89abcdef…, kept as it is.
    [GeneratedRegex("\"id\":\"call_(?!89abcdef0123456789abcdef)[0-9a-f]{24}\"")]
    private static partial Regex GeneratedCallId();
}
