using System.Text;
using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai;

/// <summary>
/// One streamed answer for an Anthropic-format client: OpenAI chunks (what every provider's stream is translated into)
/// become Anthropic's SSE events — <c>message_start</c>, a <c>content_block_start</c>/<c>_delta</c>/<c>_stop</c> run
/// per text or tool_use block, <c>message_delta</c> with the stop reason and usage, <c>message_stop</c>.
/// </summary>
internal sealed class AnthropicEventStream(string model)
{
    private bool _started;
    private int _block = -1;
    private bool _blockOpen;
    private bool _inText;
    private string? _finishReason;

    /// <summary>Adds the events one OpenAI chunk makes (an error chunk becomes Anthropic's <c>error</c> event).</summary>
    public void Add(JsonObject chunk, StringBuilder output)
    {
        if (chunk["error"] is JsonObject error)
        {
            Event(output, "error", new JsonObject
            {
                ["type"] = "error",
                ["error"] = new JsonObject { ["type"] = "api_error", ["message"] = AiJson.String(error["message"]) ?? "the provider's stream failed" },
            });
            return;
        }

        Start(output, AiJson.String(chunk["id"]), AiJson.String(chunk["model"]));
        if (chunk["choices"]?[0] is not JsonObject choice)
        {
            return;
        }

        var delta = choice["delta"];
        if (AiJson.String(delta?["content"]) is { Length: > 0 } text)
        {
            if (!_inText)
            {
                OpenBlock(output, new JsonObject { ["type"] = "text", ["text"] = "" });
                _inText = true;
            }

            Event(output, "content_block_delta", new JsonObject
            {
                ["type"] = "content_block_delta",
                ["index"] = _block,
                ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = text },
            });
        }

        foreach (var call in delta?["tool_calls"] as JsonArray ?? [])
        {
            if (AiJson.String(call?["id"]) is { } id)
            {
                OpenBlock(output, new JsonObject
                {
                    ["type"] = "tool_use",
                    ["id"] = id,
                    ["name"] = AiJson.String(call!["function"]?["name"]) ?? "",
                    ["input"] = new JsonObject(),
                });
                _inText = false;
            }

            if (AiJson.String(call?["function"]?["arguments"]) is { Length: > 0 } arguments && _blockOpen)
            {
                Event(output, "content_block_delta", new JsonObject
                {
                    ["type"] = "content_block_delta",
                    ["index"] = _block,
                    ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = arguments },
                });
            }
        }

        _finishReason = AiJson.String(choice["finish_reason"]) ?? _finishReason;
    }

    /// <summary>The events that end the message: the open block's stop, the stop reason and usage, <c>message_stop</c>.</summary>
    public void End(AiUsage? usage, StringBuilder output)
    {
        Start(output, null, null);
        CloseBlock(output);
        var used = usage ?? AiUsage.None;
        Event(output, "message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = AnthropicClientFormat.StopReason(_finishReason), ["stop_sequence"] = null },
            ["usage"] = AnthropicClientFormat.Usage(used),
        });
        Event(output, "message_stop", new JsonObject { ["type"] = "message_stop" });
    }

    private void Start(StringBuilder output, string? id, string? answeringModel)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        Event(output, "message_start", new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = new JsonObject
            {
                ["id"] = AnthropicClientFormat.MessageId(id),
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = answeringModel ?? model,
                ["content"] = new JsonArray(),
                ["stop_reason"] = null,
                ["stop_sequence"] = null,
                ["usage"] = AnthropicClientFormat.Usage(AiUsage.None), // known only at the end: message_delta carries it
            },
        });
    }

    private void OpenBlock(StringBuilder output, JsonObject block)
    {
        CloseBlock(output);
        _block++;
        _blockOpen = true;
        Event(output, "content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = _block, ["content_block"] = block });
    }

    private void CloseBlock(StringBuilder output)
    {
        if (_blockOpen)
        {
            Event(output, "content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = _block });
            _blockOpen = false;
            _inText = false;
        }
    }

    private static void Event(StringBuilder output, string name, JsonObject data) =>
        output.Append("event: ").Append(name).Append("\ndata: ").Append(data.ToJsonString()).Append("\n\n");
}
