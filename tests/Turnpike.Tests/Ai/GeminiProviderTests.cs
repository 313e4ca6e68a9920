using System.Text.Json.Nodes;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Ai.Providers;
using Xunit;

namespace Turnpike.Tests.Ai;

/// <summary>Gemini translation details that the fake provider does not exercise.</summary>
[Fast]
public sealed class GeminiProviderTests
{
    private static readonly LlmModel Model = new() { Provider = "gemini", Name = "gemini-3-pro" };

    [Fact]
    public void A_signed_function_call_gets_its_signature_back_when_the_client_returns_the_call()
    {
        var gemini = new GeminiProvider();
        var answer = JsonNode.Parse("""
            {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Oslo"}},"thoughtSignature":"c2lnbmVkIGJ5IGdlbWluaQ=="}]},"finishReason":"STOP"}]}
            """)!.AsObject();
        var call = gemini.FromProvider(answer, ChatChunks.For("gemini-3-pro"))["choices"]![0]!["message"]!["tool_calls"]![0]!;

        // The client sends the assistant's call and its result back on the next turn, as OpenAI's API has it.
        var next = new JsonObject
        {
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = "Weather in Oslo?" },
                new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new JsonArray(call.DeepClone()) },
                new JsonObject { ["role"] = "tool", ["tool_call_id"] = call["id"]!.GetValue<string>(), ["content"] = "Sunny" }),
        };
        var sent = gemini.ToProvider(next, "gemini-3-pro", stream: false, Model);

        var part = sent["contents"]![1]!["parts"]![0]!;
        Assert.Equal("c2lnbmVkIGJ5IGdlbWluaQ==", part["thoughtSignature"]!.GetValue<string>());
        Assert.Equal("get_weather", sent["contents"]![2]!["parts"]![0]!["functionResponse"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void An_unsigned_call_and_a_foreign_id_get_no_signature()
    {
        var next = new JsonObject
        {
            ["messages"] = new JsonArray(
                new JsonObject
                {
                    ["role"] = "assistant",
                    ["tool_calls"] = new JsonArray(new JsonObject { ["id"] = "call_abc", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "f", ["arguments"] = "{}" } }),
                }),
        };
        var part = new GeminiProvider().ToProvider(next, "gemini-2.0-flash", stream: false, Model)["contents"]![0]!["parts"]![0]!.AsObject();
        Assert.False(part.ContainsKey("thoughtSignature"));
    }
}
