using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai;

/// <summary>
/// <c>llm_format: anthropic</c>: clients speak Anthropic's Messages API (<c>POST /v1/messages</c>) and any provider
/// answers. The request is turned into OpenAI's chat format, which every provider translation starts from (so the
/// AI plugins see one format), and the answer back into Anthropic's <c>message</c>, its SSE events and its errors.
/// The reverse of <see cref="Providers.AnthropicProvider"/>, on the client's side.
/// </summary>
internal static class AnthropicClientFormat
{
    /// <summary>The client's Messages request in OpenAI's chat format, or why it cannot be (a 400 for the client).</summary>
    public static (JsonObject? Request, string? Problem) ToOpenAi(JsonObject request)
    {
        if (request["messages"] is not JsonArray { Count: > 0 } messages)
        {
            return (null, "messages: field required");
        }

        var chat = new JsonArray();
        var system = SystemText(request["system"]);
        if (system.Length > 0)
        {
            chat.Add(new JsonObject { ["role"] = "system", ["content"] = system });
        }

        foreach (var node in messages)
        {
            var role = node is JsonObject m ? AiJson.String(m["role"]) : null;
            if (node is not JsonObject message || role is not ("user" or "assistant" or "system"))
            {
                return (null, "messages: each message must have a role of 'user' or 'assistant'");
            }

            if (role == "assistant")
            {
                chat.Add(Assistant(message["content"]));
            }
            else
            {
                // A user turn's tool results become OpenAI tool messages, in order, before the rest of the turn.
                var parts = new JsonArray();
                foreach (var block in Blocks(message["content"]))
                {
                    if (AiJson.String(block["type"]) == "tool_result")
                    {
                        chat.Add(new JsonObject
                        {
                            ["role"] = "tool",
                            ["tool_call_id"] = AiJson.String(block["tool_use_id"]),
                            ["content"] = AiJson.Text(block["content"]),
                        });
                    }
                    else if (Part(block) is { } part)
                    {
                        parts.Add(part);
                    }
                }

                if (parts.Count > 0)
                {
                    chat.Add(new JsonObject { ["role"] = role, ["content"] = parts });
                }
            }
        }

        var body = new JsonObject { ["messages"] = chat };
        foreach (var name in (string[])["model", "max_tokens", "temperature", "top_p", "top_k"])
        {
            if (request[name] is { } value)
            {
                body[name] = value.DeepClone();
            }
        }

        if (request["stop_sequences"] is JsonArray stops)
        {
            body["stop"] = stops.DeepClone();
        }

        if (AiJson.True(request["stream"]))
        {
            body["stream"] = true;
        }

        if (request["metadata"] is JsonObject metadata && AiJson.String(metadata["user_id"]) is { } user)
        {
            body["user"] = user;
        }

        if (request["tools"] is JsonArray { Count: > 0 } tools)
        {
            body["tools"] = new JsonArray([.. tools.OfType<JsonObject>().Select(t => (JsonNode)new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject
                {
                    ["name"] = AiJson.String(t["name"]),
                    ["description"] = AiJson.String(t["description"]),
                    ["parameters"] = t["input_schema"]?.DeepClone() ?? new JsonObject { ["type"] = "object" },
                },
            })]);
            if (ToolChoice(request["tool_choice"]) is { } choice)
            {
                body["tool_choice"] = choice;
            }
        }

        return (body, null);
    }

    /// <summary>A whole <c>chat.completion</c> as Anthropic's <c>message</c>.</summary>
    public static JsonObject FromCompletion(JsonObject completion)
    {
        var message = completion["choices"]?[0]?["message"];
        var content = new JsonArray();
        if (AiJson.String(message?["content"]) is { Length: > 0 } text)
        {
            content.Add(new JsonObject { ["type"] = "text", ["text"] = text });
        }

        foreach (var call in message?["tool_calls"] as JsonArray ?? [])
        {
            content.Add(new JsonObject
            {
                ["type"] = "tool_use",
                ["id"] = AiJson.String(call?["id"]) ?? ChatChunks.NewToolCallId(),
                ["name"] = AiJson.String(call?["function"]?["name"]) ?? "",
                ["input"] = AiJson.ParseObject(AiJson.String(call?["function"]?["arguments"])),
            });
        }

        return new JsonObject
        {
            ["id"] = MessageId(AiJson.String(completion["id"])),
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = AiJson.String(completion["model"]),
            ["content"] = content,
            ["stop_reason"] = StopReason(AiJson.String(completion["choices"]?[0]?["finish_reason"])),
            ["stop_sequence"] = null,
            ["usage"] = Usage(AiUsage.FromOpenAi(completion["usage"]) ?? AiUsage.None),
        };
    }

    /// <summary>Anthropic's error body for a status and message.</summary>
    public static JsonObject Error(int status, string message) => new()
    {
        ["type"] = "error",
        ["error"] = new JsonObject { ["type"] = ErrorType(status), ["message"] = message },
    };

    /// <summary>Anthropic's names for error statuses.</summary>
    public static string ErrorType(int status) => status switch
    {
        400 or 413 or 422 => status == 413 ? "request_too_large" : "invalid_request_error",
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        503 or 529 => "overloaded_error",
        504 => "timeout_error",
        _ => "api_error",
    };

    /// <summary>OpenAI's finish reasons in Anthropic's terms.</summary>
    public static string StopReason(string? finishReason) => finishReason switch
    {
        "length" => "max_tokens",
        "tool_calls" or "function_call" => "tool_use",
        "content_filter" => "refusal",
        _ => "end_turn",
    };

    public static JsonObject Usage(AiUsage usage) => new()
    {
        ["input_tokens"] = usage.PromptTokens - usage.CachedTokens,
        ["output_tokens"] = usage.CompletionTokens,
        ["cache_read_input_tokens"] = usage.CachedTokens,
        ["cache_creation_input_tokens"] = 0,
    };

    public static string MessageId(string? id) => id is { } known && known.StartsWith("msg_", StringComparison.Ordinal) ? known : "msg_" + Guid.NewGuid().ToString("N")[..24];

    private static string SystemText(JsonNode? system) => system switch
    {
        JsonArray blocks => string.Join("\n\n", blocks.OfType<JsonObject>().Select(b => AiJson.String(b["text"])).Where(t => !string.IsNullOrEmpty(t))),
        _ => AiJson.String(system) ?? "",
    };

    private static IEnumerable<JsonObject> Blocks(JsonNode? content) => content switch
    {
        JsonArray blocks => blocks.OfType<JsonObject>(),
        JsonValue => [new JsonObject { ["type"] = "text", ["text"] = AiJson.String(content) ?? "" }],
        _ => [],
    };

    /// <summary>A user block as an OpenAI content part: text, or an image (base64 or by URL); other kinds are left out.</summary>
    private static JsonObject? Part(JsonObject block) => AiJson.String(block["type"]) switch
    {
        "text" => new JsonObject { ["type"] = "text", ["text"] = AiJson.String(block["text"]) ?? "" },
        "image" when block["source"] is JsonObject source => AiJson.String(source["type"]) switch
        {
            "base64" => Image($"data:{AiJson.String(source["media_type"])};base64,{AiJson.String(source["data"])}"),
            "url" when AiJson.String(source["url"]) is { } url => Image(url),
            _ => null,
        },
        _ => null,
    };

    private static JsonObject Image(string url) => new() { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = url } };

    private static JsonObject Assistant(JsonNode? content)
    {
        var text = new System.Text.StringBuilder();
        var calls = new JsonArray();
        foreach (var block in Blocks(content))
        {
            switch (AiJson.String(block["type"]))
            {
                case "text":
                    text.Append(AiJson.String(block["text"]));
                    break;
                case "tool_use":
                    calls.Add(ChatChunks.ToolCallObject(
                        AiJson.String(block["id"]) ?? ChatChunks.NewToolCallId(), AiJson.String(block["name"]) ?? "", block["input"]?.ToJsonString() ?? "{}"));
                    break;
            }
        }

        var message = new JsonObject { ["role"] = "assistant", ["content"] = calls.Count > 0 && text.Length == 0 ? null : text.ToString() };
        if (calls.Count > 0)
        {
            message["tool_calls"] = calls;
        }

        return message;
    }

    private static JsonNode? ToolChoice(JsonNode? node) => node is not JsonObject choice ? null : AiJson.String(choice["type"]) switch
    {
        "auto" => "auto",
        "any" => "required",
        "none" => "none",
        "tool" when AiJson.String(choice["name"]) is { } name => new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = name } },
        _ => null,
    };
}
