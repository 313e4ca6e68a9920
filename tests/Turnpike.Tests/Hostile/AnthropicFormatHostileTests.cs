using System.Text.Json.Nodes;
using Turnpike.Edge.Ai;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>
/// Anthropic-format bodies of the wrong shapes: each is refused with a reason (a 400 for the client) or translated
/// without what made no sense, and none throws (a throw would be a 500 from a client's fault).
/// </summary>
[Fast]
public sealed class AnthropicFormatHostileTests
{
    [Theory]
    [InlineData("""{"messages": 5}""")]
    [InlineData("""{"messages": []}""")]
    [InlineData("""{"messages": [1, "x", null]}""")]
    [InlineData("""{"messages": [["nested"]]}""")]
    [InlineData("""{"messages": [{"role": "tool", "content": "x"}]}""")]
    [InlineData("""{"messages": [{"content": "no role"}]}""")]
    public void Messages_that_are_not_user_or_assistant_turns_are_refused_with_a_reason(string body)
    {
        var (request, problem) = AnthropicClientFormat.ToOpenAi(JsonNode.Parse(body)!.AsObject());

        Assert.Null(request);
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Theory]
    [InlineData("""{"messages": [{"role": "user", "content": {"type": "text"}}], "system": 5, "metadata": [1], "tool_choice": "any", "tools": [1, null, "x"]}""")]
    [InlineData("""{"messages": [{"role": "user", "content": [1, null, ["x"], {"type": "image", "source": "nope"}, {"type": "image", "source": {"type": "file"}}]}], "system": [1, {"text": 2}]}""")]
    [InlineData("""{"messages": [{"role": "assistant", "content": [{"type": "tool_use", "input": [1]}, {"type": "tool_use", "name": 5}]}], "stop_sequences": "x"}""")]
    [InlineData("""{"messages": [{"role": "user", "content": [{"type": "tool_result", "content": {"a": 1}}, {"type": "tool_result", "tool_use_id": ["x"]}]}], "tool_choice": {"type": "tool", "name": [1]}}""")]
    public void Blocks_of_the_wrong_shapes_are_left_out_without_a_throw(string body)
    {
        var (request, problem) = AnthropicClientFormat.ToOpenAi(JsonNode.Parse(body)!.AsObject());

        Assert.Null(problem);
        Assert.NotNull(request!["messages"]);
    }

    [Fact]
    public void An_image_by_url_or_base64_becomes_an_openai_image_part_and_nothing_else_passes_as_an_image()
    {
        var (request, _) = AnthropicClientFormat.ToOpenAi(JsonNode.Parse("""
            {"messages": [{"role": "user", "content": [
              {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBOR"}},
              {"type": "image", "source": {"type": "url", "url": "https://example.test/cat.png"}},
              {"type": "document", "source": {"type": "url", "url": "https://example.test/x.pdf"}}]}]}
            """)!.AsObject());

        var parts = request!["messages"]![0]!["content"]!.AsArray();
        Assert.Equal(2, parts.Count);
        Assert.Equal("data:image/png;base64,iVBOR", parts[0]!["image_url"]!["url"]!.GetValue<string>());
        Assert.Equal("https://example.test/cat.png", parts[1]!["image_url"]!["url"]!.GetValue<string>());
    }
}
