using System.Text;
using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai;

/// <summary>
/// Puts a streamed chat answer back together: the OpenAI chunks a stream was translated into (choice 0's text, tool
/// calls by index, finish reason) become the <c>chat.completion</c> the same answer would have been unstreamed.
/// Used only when a plugin asked for the answer (<see cref="AiRequest.OnAnsweredAsync"/>).
/// </summary>
internal sealed class CompletionAssembler
{
    private readonly StringBuilder _text = new();
    private readonly List<(string? Id, string? Name, StringBuilder Arguments)> _calls = [];
    private string? _id;
    private string? _model;
    private long _created;
    private string? _finishReason;

    public void AddAll(List<JsonObject> chunks)
    {
        foreach (var chunk in chunks)
        {
            Add(chunk);
        }
    }

    public void Add(JsonObject chunk)
    {
        if (chunk["error"] is not null)
        {
            return;
        }

        _id ??= AiJson.String(chunk["id"]);
        _model ??= AiJson.String(chunk["model"]);
        _created = _created == 0 ? AiJson.Long(chunk["created"]) : _created;
        if (chunk["choices"]?[0] is not JsonObject choice)
        {
            return;
        }

        var delta = choice["delta"];
        if (AiJson.String(delta?["content"]) is { } text)
        {
            _text.Append(text);
        }

        foreach (var call in delta?["tool_calls"] as JsonArray ?? [])
        {
            var index = (int)Math.Clamp(AiJson.Long(call?["index"]), 0, 127);
            while (_calls.Count <= index)
            {
                _calls.Add((null, null, new StringBuilder()));
            }

            var (id, name, arguments) = _calls[index];
            _calls[index] = (id ?? AiJson.String(call?["id"]), name ?? AiJson.String(call?["function"]?["name"]), arguments.Append(AiJson.String(call?["function"]?["arguments"])));
        }

        _finishReason = AiJson.String(choice["finish_reason"]) ?? _finishReason;
    }

    /// <summary>The whole answer; null when the stream never finished a choice.</summary>
    public JsonObject? Completion(AiUsage? usage)
    {
        if (_finishReason is null)
        {
            return null;
        }

        var ids = new ChatChunks(_id ?? "chatcmpl-" + Guid.NewGuid().ToString("N"), _created, _model ?? "");
        JsonArray? calls = _calls.Count == 0 ? null
            : [.. _calls.Select(c => (JsonNode)ChatChunks.ToolCallObject(c.Id ?? ChatChunks.NewToolCallId(), c.Name ?? "", c.Arguments.ToString()))];
        return ids.Completion(_text.Length == 0 && calls is not null ? null : _text.ToString(), calls, _finishReason, usage);
    }
}
