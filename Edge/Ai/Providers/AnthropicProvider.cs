using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai.Providers;

/// <summary>
/// Anthropic's Messages API. System messages become <c>system</c>; tool calls become <c>tool_use</c> blocks and
/// tool results <c>tool_result</c> blocks in a user turn; turns of the same role are merged, as Anthropic wants
/// them alternating; <c>max_tokens</c>, which Anthropic requires, defaults to 4096.
/// </summary>
internal sealed class AnthropicProvider : LlmProvider
{
    public const int DefaultMaxTokens = 4096;

    public override string Name => "anthropic";

    public override Uri Endpoint(LlmModel model, string modelName, bool stream, bool completions) =>
        Configured(model, "https://api.anthropic.com/v1/messages");

    public override void AddHeaders(HttpRequestHeaders headers, LlmModel model)
    {
        if (!headers.Contains("anthropic-version"))
        {
            headers.TryAddWithoutValidation("anthropic-version", model.AnthropicVersion);
        }
    }

    public override JsonObject ToProvider(JsonObject request, string modelName, bool stream, LlmModel model)
    {
        var system = new List<string>();
        var messages = new JsonArray();
        foreach (var node in request["messages"] as JsonArray ?? [])
        {
            if (node is not JsonObject message)
            {
                continue;
            }

            var role = AiJson.String(message["role"]);
            if (role is "system" or "developer")
            {
                system.Add(AiJson.Text(message["content"]));
                continue;
            }

            var (anthropicRole, blocks) = role switch
            {
                "assistant" => ("assistant", AssistantBlocks(message)),
                "tool" => ("user", new JsonArray(new JsonObject
                {
                    ["type"] = "tool_result",
                    ["tool_use_id"] = AiJson.String(message["tool_call_id"]),
                    ["content"] = AiJson.Text(message["content"]),
                })),
                _ => ("user", ContentBlocks(message["content"])),
            };
            // Anthropic refuses empty turns (an assistant turn with nothing said, say); AppendTurn adds none.
            AiJson.AppendTurn(messages, anthropicRole, "content", blocks);
        }

        var body = new JsonObject
        {
            ["model"] = modelName,
            ["messages"] = messages,
            ["max_tokens"] = AiJson.Long(request["max_completion_tokens"] ?? request["max_tokens"]) is > 0 and var max ? max : DefaultMaxTokens,
        };
        if (system.Count > 0)
        {
            body["system"] = string.Join("\n\n", system);
        }

        CopyNumber(request, "temperature", body, "temperature");
        CopyNumber(request, "top_p", body, "top_p");
        CopyNumber(request, "top_k", body, "top_k");
        if (AiJson.StringList(request["stop"]) is { } stops)
        {
            body["stop_sequences"] = stops;
        }

        if (request["tools"] is JsonArray { Count: > 0 } tools)
        {
            body["tools"] = new JsonArray([.. tools.Select(t => (JsonNode)new JsonObject
            {
                ["name"] = AiJson.String(t?["function"]?["name"]),
                ["description"] = AiJson.String(t?["function"]?["description"]),
                ["input_schema"] = t?["function"]?["parameters"]?.DeepClone() ?? new JsonObject { ["type"] = "object" },
            })]);
            if (ToolChoice(request["tool_choice"]) is { } choice)
            {
                body["tool_choice"] = choice;
            }
        }

        if (AiJson.String(request["user"]) is { } user)
        {
            body["metadata"] = new JsonObject { ["user_id"] = user };
        }

        if (stream)
        {
            body["stream"] = true;
        }

        return body;
    }

    public override JsonObject FromProvider(JsonObject response, ChatChunks ids)
    {
        var text = new System.Text.StringBuilder();
        var calls = new JsonArray();
        foreach (var block in response["content"] as JsonArray ?? [])
        {
            switch (AiJson.String(block?["type"]))
            {
                case "text":
                    text.Append(AiJson.String(block!["text"]));
                    break;
                case "tool_use":
                    calls.Add(ChatChunks.ToolCallObject(
                        AiJson.String(block!["id"]) ?? ChatChunks.NewToolCallId(), AiJson.String(block["name"]) ?? "", block["input"]?.ToJsonString() ?? "{}"));
                    break;
            }
        }

        ids.Id = AiJson.String(response["id"]) ?? ids.Id;
        ids.Model = AiJson.String(response["model"]) ?? ids.Model;
        return ids.Completion(
            calls.Count > 0 && text.Length == 0 ? null : text.ToString(), calls, FinishReasonOf(AiJson.String(response["stop_reason"])), ReadUsage(response["usage"], null));
    }

    public override LlmStream OpenStream(ChatChunks chunks) => new Stream(chunks);

    public override (string Message, string? Type) Error(JsonNode? body) =>
        (AiJson.String(body?["error"]?["message"]) ?? "the provider answered an error", AiJson.String(body?["error"]?["type"]));

    /// <summary>Anthropic's stop reasons in OpenAI's terms.</summary>
    private static string FinishReasonOf(string? stopReason) => stopReason switch
    {
        "max_tokens" => "length",
        "tool_use" => "tool_calls",
        "refusal" => "content_filter",
        _ => "stop",
    };

    /// <summary>
    /// Anthropic counts cache reads and writes apart from <c>input_tokens</c>; OpenAI's prompt tokens include them.
    /// <paramref name="known"/> carries what message_start reported when a stream's message_delta lacks it.
    /// </summary>
    private static AiUsage ReadUsage(JsonNode? usage, AiUsage? known)
    {
        var cached = AiJson.Long(usage?["cache_read_input_tokens"]);
        var prompt = AiJson.Long(usage?["input_tokens"]) + cached + AiJson.Long(usage?["cache_creation_input_tokens"]);
        return new AiUsage(
            prompt > 0 || known is null ? prompt : known.Value.PromptTokens,
            AiJson.Long(usage?["output_tokens"]),
            cached > 0 || known is null ? cached : known.Value.CachedTokens);
    }

    private static JsonArray AssistantBlocks(JsonObject message)
    {
        var blocks = ContentBlocks(message["content"]);
        foreach (var call in message["tool_calls"] as JsonArray ?? [])
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "tool_use",
                ["id"] = AiJson.String(call?["id"]),
                ["name"] = AiJson.String(call?["function"]?["name"]),
                ["input"] = AiJson.ParseObject(AiJson.String(call?["function"]?["arguments"])),
            });
        }

        return blocks;
    }

    /// <summary>Text and image blocks; empty text is left out, as Anthropic refuses empty text blocks.</summary>
    private static JsonArray ContentBlocks(JsonNode? content)
    {
        var blocks = new JsonArray();
        foreach (var part in ContentPart.Of(content))
        {
            if (part.ImageUrl is null)
            {
                if (part.Text is { Length: > 0 } text)
                {
                    blocks.Add(new JsonObject { ["type"] = "text", ["text"] = text });
                }
            }
            else
            {
                blocks.Add(new JsonObject
                {
                    ["type"] = "image",
                    ["source"] = part.TryInline(out var mediaType, out var data)
                        ? new JsonObject { ["type"] = "base64", ["media_type"] = mediaType, ["data"] = data }
                        : new JsonObject { ["type"] = "url", ["url"] = part.ImageUrl },
                });
            }
        }

        return blocks;
    }

    private static JsonObject? ToolChoice(JsonNode? choice) => choice switch
    {
        JsonValue value => AiJson.String(value) switch
        {
            "auto" => new JsonObject { ["type"] = "auto" },
            "required" => new JsonObject { ["type"] = "any" },
            "none" => new JsonObject { ["type"] = "none" },
            _ => null,
        },
        JsonObject named when AiJson.String(named["function"]?["name"]) is { } name => new JsonObject { ["type"] = "tool", ["name"] = name },
        _ => null,
    };

    private static void CopyNumber(JsonObject from, string name, JsonObject to, string target)
    {
        if (AiJson.Number(from[name]) is { } number)
        {
            to[target] = number;
        }
    }

    /// <summary>
    /// Anthropic's event sequence: message_start (id, model, input tokens), content blocks (text deltas or a
    /// tool_use's JSON in pieces), message_delta (stop reason, output tokens), message_stop.
    /// </summary>
    private sealed class Stream(ChatChunks chunks) : LlmStream(chunks)
    {
        private readonly Dictionary<int, int> _toolIndexes = [];
        private AiUsage? _started;

        public override void Read(string? eventName, string data, List<JsonObject> output)
        {
            if (JsonNode.Parse(data) is not JsonObject json)
            {
                return;
            }

            switch (AiJson.String(json["type"]) ?? eventName)
            {
                case "message_start":
                    var message = json["message"];
                    Chunks.Id = AiJson.String(message?["id"]) ?? Chunks.Id;
                    Chunks.Model = AiJson.String(message?["model"]) ?? Chunks.Model;
                    _started = ReadUsage(message?["usage"], null);
                    Usage = _started;
                    output.Add(Chunks.Role());
                    break;
                case "content_block_start" when AiJson.String(json["content_block"]?["type"]) == "tool_use":
                    var index = _toolIndexes.Count;
                    _toolIndexes[(int)AiJson.Long(json["index"])] = index;
                    output.Add(Chunks.ToolCall(index, AiJson.String(json["content_block"]!["id"]) ?? ChatChunks.NewToolCallId(), AiJson.String(json["content_block"]!["name"]), ""));
                    break;
                case "content_block_delta":
                    var delta = json["delta"];
                    if (AiJson.String(delta?["type"]) == "input_json_delta")
                    {
                        output.Add(Chunks.ToolCall(_toolIndexes.GetValueOrDefault((int)AiJson.Long(json["index"])), null, null, AiJson.String(delta!["partial_json"]) ?? ""));
                    }
                    else if (AiJson.String(delta?["text"]) is { Length: > 0 } text)
                    {
                        output.Add(Chunks.Text(text));
                    }

                    break;
                case "message_delta":
                    Usage = ReadUsage(json["usage"], _started);
                    FinishReason = FinishReasonOf(AiJson.String(json["delta"]?["stop_reason"]));
                    output.Add(Chunks.Finish(FinishReason));
                    break;
                case "error":
                    throw new LlmStreamException(AiJson.String(json["error"]?["message"]) ?? "the provider's stream failed");
            }
        }
    }
}
