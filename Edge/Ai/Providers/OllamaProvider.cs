using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai.Providers;

/// <summary>
/// Ollama's native chat API (<c>/api/chat</c>; its endpoint is always configured, there is no public one).
/// Sampling options go into <c>options</c>; tool call arguments are objects, not JSON text; streams are
/// newline-delimited JSON, the last line (<c>done: true</c>) carrying the token counts.
/// </summary>
internal sealed class OllamaProvider : LlmProvider
{
    public override string Name => "ollama";

    public override bool HasEmbeddings => true;

    /// <summary>Ollama's <c>/api/embed</c>, at the configured URL as every Ollama endpoint is.</summary>
    public override Uri EmbeddingsEndpoint(LlmModel model, string modelName) => new(model.UpstreamUrl!);

    public override JsonObject ToProviderEmbeddings(JsonObject request, string modelName) => new()
    {
        ["model"] = modelName,
        ["input"] = new JsonArray([.. EmbeddingsFormat.Texts(request, Name).Select(t => (JsonNode)t)]),
    };

    public override (JsonObject Response, AiUsage? Usage) FromProviderEmbeddings(JsonObject response, JsonObject request, string modelName)
    {
        var vectors = (response["embeddings"] as JsonArray ?? []).Select(EmbeddingsFormat.Vector).ToList();
        var usage = new AiUsage(response["prompt_eval_count"] is { } count ? AiJson.Long(count) : EmbeddingsFormat.EstimateTokens(EmbeddingsFormat.Texts(request, Name)), 0);
        return (EmbeddingsFormat.List(request, modelName, vectors, usage), usage);
    }

    public override Uri Endpoint(LlmModel model, string modelName, bool stream, bool completions) => new(model.UpstreamUrl!);

    public override JsonObject ToProvider(JsonObject request, string modelName, bool stream, LlmModel model)
    {
        var messages = new JsonArray();
        foreach (var node in request["messages"] as JsonArray ?? [])
        {
            if (node is not JsonObject message)
            {
                continue;
            }

            var role = AiJson.String(message["role"]) ?? "user";
            var parts = ContentPart.Of(message["content"]);
            var converted = new JsonObject { ["role"] = role == "developer" ? "system" : role, ["content"] = string.Concat(parts.Select(p => p.Text)) };
            if (parts.Any(p => p.ImageUrl is not null))
            {
                converted["images"] = new JsonArray([.. parts.Where(p => p.ImageUrl is not null).Select(p => (JsonNode)(p.TryInline(out _, out var data) ? data : throw ContentPart.LinkedImage("ollama")))]);
            }

            if (message["tool_calls"] is JsonArray { Count: > 0 } calls)
            {
                converted["tool_calls"] = new JsonArray([.. calls.Select(c => (JsonNode)new JsonObject
                {
                    ["function"] = new JsonObject
                    {
                        ["name"] = AiJson.String(c?["function"]?["name"]),
                        ["arguments"] = AiJson.ParseObject(AiJson.String(c?["function"]?["arguments"])),
                    },
                })]);
            }

            messages.Add(converted);
        }

        var options = new JsonObject();
        if (AiJson.Long(request["max_completion_tokens"] ?? request["max_tokens"]) is > 0 and var max)
        {
            options["num_predict"] = max;
        }

        foreach (var name in new[] { "temperature", "top_p", "top_k", "seed" })
        {
            if (AiJson.Number(request[name]) is { } number)
            {
                options[name] = number;
            }
        }

        if (AiJson.StringList(request["stop"]) is { } stops)
        {
            options["stop"] = stops;
        }

        var body = new JsonObject { ["model"] = modelName, ["messages"] = messages, ["stream"] = stream };
        switch (AiJson.String(request["response_format"]?["type"]))
        {
            case "json_object":
                body["format"] = "json";
                break;
            case "json_schema" when (request["response_format"]!["json_schema"]?["schema"]) is JsonObject schema:
                body["format"] = schema.DeepClone();
                break;
        }

        if (options.Count > 0)
        {
            body["options"] = options;
        }

        if (request["tools"] is JsonArray { Count: > 0 } tools)
        {
            body["tools"] = tools.DeepClone(); // Ollama takes OpenAI's tool declarations as they are
        }

        return body;
    }

    public override JsonObject FromProvider(JsonObject response, ChatChunks ids)
    {
        var message = response["message"];
        var calls = new JsonArray([.. (message?["tool_calls"] as JsonArray ?? []).Select(c => (JsonNode)ChatChunks.ToolCallObject(
            ChatChunks.NewToolCallId(), AiJson.String(c?["function"]?["name"]) ?? "", c?["function"]?["arguments"]?.ToJsonString() ?? "{}"))]);
        ids.Model = AiJson.String(response["model"]) ?? ids.Model;
        var content = AiJson.String(message?["content"]) ?? "";
        return ids.Completion(calls.Count > 0 && content.Length == 0 ? null : content, calls, FinishReasonOf(response, calls.Count > 0), ReadUsage(response));
    }

    public override LlmStream OpenStream(ChatChunks chunks) => new Stream(chunks);

    public override (string Message, string? Type) Error(JsonNode? body) => (AiJson.String(body?["error"]) ?? "the provider answered an error", null);

    private static string FinishReasonOf(JsonNode done, bool toolCalls) =>
        toolCalls ? "tool_calls" : AiJson.String(done["done_reason"]) == "length" ? "length" : "stop";

    private static AiUsage ReadUsage(JsonNode done) => new(AiJson.Long(done["prompt_eval_count"]), AiJson.Long(done["eval_count"]));

    private sealed class Stream(ChatChunks chunks) : LlmStream(chunks)
    {
        private bool _started;
        private int _toolCalls;

        public override bool LineDelimited => true;

        public override void Read(string? eventName, string data, List<JsonObject> output)
        {
            if (JsonNode.Parse(data) is not JsonObject json)
            {
                return;
            }

            if (AiJson.String(json["error"]) is { } error)
            {
                throw new LlmStreamException(error);
            }

            if (!_started)
            {
                _started = true;
                output.Add(Chunks.Role());
            }

            var message = json["message"];
            if (AiJson.String(message?["content"]) is { Length: > 0 } text)
            {
                output.Add(Chunks.Text(text));
            }

            foreach (var call in message?["tool_calls"] as JsonArray ?? [])
            {
                output.Add(Chunks.ToolCall(
                    _toolCalls++, ChatChunks.NewToolCallId(), AiJson.String(call?["function"]?["name"]), call?["function"]?["arguments"]?.ToJsonString() ?? "{}"));
            }

            if (AiJson.True(json["done"]))
            {
                Usage = ReadUsage(json);
                FinishReason = FinishReasonOf(json, _toolCalls > 0);
                output.Add(Chunks.Finish(FinishReason));
            }
        }
    }
}
