using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai;

/// <summary>
/// Makes OpenAI's <c>chat.completion.chunk</c> objects for one streamed response: every chunk carries the same
/// id, created and model, as OpenAI's do, whichever provider the content came from.
/// </summary>
internal sealed class ChatChunks(string id, long created, string model)
{
    public string Id { get; set; } = id;

    public long Created { get; } = created;

    public string Model { get; set; } = model;

    public static ChatChunks For(string model) => new("chatcmpl-" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), model);

    public JsonObject Delta(JsonObject delta, string? finishReason = null) => Chunk(new JsonArray(new JsonObject
    {
        ["index"] = 0,
        ["delta"] = delta,
        ["logprobs"] = null,
        ["finish_reason"] = finishReason,
    }));

    public JsonObject Text(string text) => Delta(new JsonObject { ["content"] = text });

    public JsonObject Role() => Delta(new JsonObject { ["role"] = "assistant", ["content"] = "" });

    public JsonObject Finish(string finishReason) => Delta([], finishReason);

    /// <summary>A tool call's start (id and name) or a piece of its arguments, at <paramref name="index"/> among the message's calls.</summary>
    public JsonObject ToolCall(int index, string? callId, string? name, string arguments)
    {
        var call = new JsonObject { ["index"] = index };
        if (callId is not null)
        {
            call["id"] = callId;
            call["type"] = "function";
        }

        var function = new JsonObject { ["arguments"] = arguments };
        if (name is not null)
        {
            function["name"] = name;
        }

        call["function"] = function;
        return Delta(new JsonObject { ["tool_calls"] = new JsonArray(call) });
    }

    /// <summary>The chunk OpenAI sends last when asked for <c>stream_options.include_usage</c>: no choices, the usage.</summary>
    public JsonObject Usage(AiUsage usage)
    {
        var chunk = Chunk([]);
        chunk["usage"] = usage.ToJson();
        return chunk;
    }

    /// <summary>A whole (non-streamed) <c>chat.completion</c>.</summary>
    public JsonObject Completion(string? content, JsonArray? toolCalls, string finishReason, AiUsage? usage)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = content };
        if (toolCalls is { Count: > 0 })
        {
            message["tool_calls"] = toolCalls;
        }

        return new JsonObject
        {
            ["id"] = Id,
            ["object"] = "chat.completion",
            ["created"] = Created,
            ["model"] = Model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["logprobs"] = null, ["finish_reason"] = finishReason }),
            ["usage"] = usage?.ToJson(),
        };
    }

    /// <summary>One tool call of a whole response, in OpenAI's shape.</summary>
    public static JsonObject ToolCallObject(string id, string name, string arguments) => new()
    {
        ["id"] = id,
        ["type"] = "function",
        ["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments },
    };

    public static string NewToolCallId() => "call_" + Guid.NewGuid().ToString("N")[..24];

    private JsonObject Chunk(JsonArray choices) => new()
    {
        ["id"] = Id,
        ["object"] = "chat.completion.chunk",
        ["created"] = Created,
        ["model"] = Model,
        ["choices"] = choices,
    };
}
