using System.Text;
using System.Text.Json.Nodes;
using Turnpike.Edge.Ai;
using Xunit;

namespace Turnpike.Tests.Ai;

/// <summary>Anthropic's Messages format on the client's side: requests into OpenAI's chat format, answers and streams back.</summary>
[Fast]
public sealed class AnthropicClientFormatTests
{
    [Fact]
    public void System_tools_tool_choice_and_options_become_openais()
    {
        var (request, _) = AnthropicClientFormat.ToOpenAi(JsonNode.Parse("""
            {"model": "m", "max_tokens": 100, "temperature": 0.5, "stop_sequences": ["END"], "stream": true,
             "system": [{"type": "text", "text": "Be brief."}], "metadata": {"user_id": "u1"},
             "tools": [{"name": "f", "description": "d", "input_schema": {"type": "object"}}], "tool_choice": {"type": "tool", "name": "f"},
             "messages": [{"role": "user", "content": "Hi"}]}
            """)!.AsObject());

        Assert.Equal("""{"role":"system","content":"Be brief."}""", request!["messages"]![0]!.ToJsonString());
        Assert.Equal(100, request["max_tokens"]!.GetValue<int>());
        Assert.Equal("""["END"]""", request["stop"]!.ToJsonString());
        Assert.True(request["stream"]!.GetValue<bool>());
        Assert.Equal("u1", request["user"]!.GetValue<string>());
        Assert.Equal("f", request["tools"]![0]!["function"]!["name"]!.GetValue<string>());
        Assert.Equal("""{"type":"function","function":{"name":"f"}}""", request["tool_choice"]!.ToJsonString());
    }

    [Fact]
    public void A_completion_with_a_tool_call_becomes_a_message_with_a_tool_use_block()
    {
        var completion = new ChatChunks("chatcmpl-1", 1, "gpt-4o").Completion(
            "Let me look.", [ChatChunks.ToolCallObject("call_1", "f", """{"a":1}""")], "tool_calls", new AiUsage(20, 5, 8));

        var message = AnthropicClientFormat.FromCompletion(completion);

        Assert.Equal("message", message["type"]!.GetValue<string>());
        Assert.Equal("tool_use", message["stop_reason"]!.GetValue<string>());
        Assert.Equal("""[{"type":"text","text":"Let me look."},{"type":"tool_use","id":"call_1","name":"f","input":{"a":1}}]""", message["content"]!.ToJsonString());
        Assert.Equal(12L, message["usage"]!["input_tokens"]!.GetValue<long>()); // uncached prompt tokens, as Anthropic counts them
        Assert.Equal(8L, message["usage"]!["cache_read_input_tokens"]!.GetValue<long>());
    }

    [Fact]
    public void Chunks_become_anthropics_event_sequence_with_one_block_per_text_run_or_tool_call()
    {
        var chunks = new ChatChunks("chatcmpl-1", 1, "gpt-4o");
        var stream = new AnthropicEventStream("gpt-4o");
        var output = new StringBuilder();

        stream.Add(chunks.Role(), output);
        stream.Add(chunks.Text("Hel"), output);
        stream.Add(chunks.Text("lo"), output);
        stream.Add(chunks.ToolCall(0, "call_1", "f", ""), output);
        stream.Add(chunks.ToolCall(0, null, null, """{"a":"""), output);
        stream.Add(chunks.ToolCall(0, null, null, "1}"), output);
        stream.Add(chunks.Finish("tool_calls"), output);
        stream.End(new AiUsage(10, 4), output);

        var events = output.ToString().Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split('\n')[0]["event: ".Length..]).ToArray();
        Assert.Equal(
            ["message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
             "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            events);
        Assert.Contains("\"stop_reason\":\"tool_use\"", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"output_tokens\":4", output.ToString(), StringComparison.Ordinal);
    }
}
