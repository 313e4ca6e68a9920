using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai.Providers;

/// <summary>
/// Google's Gemini API (generateContent). System messages become <c>systemInstruction</c>, the assistant is the
/// <c>model</c> role, tool calls are <c>functionCall</c> parts and their results <c>functionResponse</c> parts
/// (named by the call they answer). Streams use <c>streamGenerateContent?alt=sse</c>.
/// </summary>
internal sealed class GeminiProvider : LlmProvider
{
    private const string GenerateContent = ":generateContent";

    public override string Name => "gemini";

    public override bool HasEmbeddings => true;

    public override Uri EmbeddingsEndpoint(LlmModel model, string modelName) =>
        Configured(model, $"https://generativelanguage.googleapis.com/v1beta/models/{modelName}:batchEmbedContents");

    /// <summary>batchEmbedContents: one request per text, so a list of inputs is one call.</summary>
    public override JsonObject ToProviderEmbeddings(JsonObject request, string modelName)
    {
        var requests = new JsonArray();
        foreach (var text in EmbeddingsFormat.Texts(request, Name))
        {
            var one = new JsonObject
            {
                ["model"] = "models/" + modelName,
                ["content"] = new JsonObject { ["parts"] = new JsonArray(new JsonObject { ["text"] = text }) },
            };
            if (AiJson.Long(request["dimensions"]) is > 0 and var dimensions)
            {
                one["outputDimensionality"] = dimensions;
            }

            requests.Add(one);
        }

        return new JsonObject { ["requests"] = requests };
    }

    /// <summary>Gemini reports no token count for embeddings: the texts are estimated at four characters a token.</summary>
    public override (JsonObject Response, AiUsage? Usage) FromProviderEmbeddings(JsonObject response, JsonObject request, string modelName)
    {
        var vectors = (response["embeddings"] as JsonArray ?? []).Select(e => EmbeddingsFormat.Vector(e is JsonObject o ? o["values"] : null)).ToList();
        var usage = new AiUsage(EmbeddingsFormat.EstimateTokens(EmbeddingsFormat.Texts(request, Name)), 0);
        return (EmbeddingsFormat.List(request, modelName, vectors, usage), usage);
    }

    public override Uri Endpoint(LlmModel model, string modelName, bool stream, bool completions)
    {
        var url = model.UpstreamUrl ?? $"https://generativelanguage.googleapis.com/v1beta/models/{modelName}{GenerateContent}";
        if (!stream)
        {
            return new Uri(url);
        }

        var builder = new UriBuilder(url.Replace(GenerateContent, ":streamGenerateContent", StringComparison.Ordinal));
        builder.Query = builder.Query.Length > 1 ? builder.Query[1..] + "&alt=sse" : "alt=sse";
        return builder.Uri;
    }

    public override JsonObject ToProvider(JsonObject request, string modelName, bool stream, LlmModel model)
    {
        var system = new List<string>();
        var contents = new JsonArray();
        var toolNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in request["messages"] as JsonArray ?? [])
        {
            if (node is not JsonObject message)
            {
                continue;
            }

            var role = AiJson.String(message["role"]);
            var text = AiJson.Text(message["content"]);
            var parts = new JsonArray();
            switch (role)
            {
                case "system" or "developer":
                    system.Add(text);
                    continue;
                case "assistant":
                    AddContent(parts, message["content"]);

                    foreach (var call in message["tool_calls"] as JsonArray ?? [])
                    {
                        var name = AiJson.String(call?["function"]?["name"]) ?? "";
                        var id = AiJson.String(call?["id"]) ?? "";
                        toolNames[id] = name;
                        var part = new JsonObject
                        {
                            ["functionCall"] = new JsonObject { ["name"] = name, ["args"] = AiJson.ParseObject(AiJson.String(call?["function"]?["arguments"])) },
                        };
                        if (SignatureOf(id) is { } signature)
                        {
                            part["thoughtSignature"] = signature;
                        }

                        parts.Add(part);
                    }

                    break;
                case "tool":
                    parts.Add(new JsonObject
                    {
                        ["functionResponse"] = new JsonObject
                        {
                            ["name"] = toolNames.GetValueOrDefault(AiJson.String(message["tool_call_id"]) ?? "", AiJson.String(message["name"]) ?? ""),
                            ["response"] = new JsonObject { ["content"] = text },
                        },
                    });
                    break;
                default:
                    AddContent(parts, message["content"]);
                    break;
            }

            // One turn per role change: the answers to a turn's several function calls go in one user turn.
            AiJson.AppendTurn(contents, role == "assistant" ? "model" : "user", "parts", parts);
        }

        var body = new JsonObject { ["contents"] = contents };
        if (system.Count > 0)
        {
            body["systemInstruction"] = new JsonObject { ["parts"] = new JsonArray(new JsonObject { ["text"] = string.Join("\n\n", system) }) };
        }

        var config = new JsonObject();
        if (AiJson.Long(request["max_completion_tokens"] ?? request["max_tokens"]) is > 0 and var max)
        {
            config["maxOutputTokens"] = max;
        }

        foreach (var (from, to) in new[] { ("temperature", "temperature"), ("top_p", "topP"), ("top_k", "topK") })
        {
            if (AiJson.Number(request[from]) is { } number)
            {
                config[to] = number;
            }
        }

        if (AiJson.StringList(request["stop"]) is { } stops)
        {
            config["stopSequences"] = stops;
        }

        // JSON mode: response_format json_object, or json_schema with its schema.
        switch (AiJson.String(request["response_format"]?["type"]))
        {
            case "json_object":
                config["responseMimeType"] = "application/json";
                break;
            case "json_schema":
                config["responseMimeType"] = "application/json";
                config["responseSchema"] = Schema(request["response_format"]!["json_schema"]?["schema"]);
                break;
        }

        if (config.Count > 0)
        {
            body["generationConfig"] = config;
        }

        if (request["tools"] is JsonArray { Count: > 0 } tools)
        {
            body["tools"] = new JsonArray(new JsonObject
            {
                ["functionDeclarations"] = new JsonArray([.. tools.Select(t => (JsonNode)new JsonObject
                {
                    ["name"] = AiJson.String(t?["function"]?["name"]),
                    ["description"] = AiJson.String(t?["function"]?["description"]),
                    ["parameters"] = Schema(t?["function"]?["parameters"]),
                })]),
            });
            var mode = request["tool_choice"] switch
            {
                JsonObject => "ANY",
                var choice => AiJson.String(choice) switch { "required" => "ANY", "none" => "NONE", _ => null },
            };
            if (mode is not null)
            {
                var calling = new JsonObject { ["mode"] = mode };
                if (AiJson.String(request["tool_choice"]?["function"]?["name"]) is { } only)
                {
                    calling["allowedFunctionNames"] = new JsonArray(only);
                }

                body["toolConfig"] = new JsonObject { ["functionCallingConfig"] = calling };
            }
        }

        return body;
    }

    private const string SignatureMark = "__sig_";

    /// <summary>
    /// A function call's id for the client. Gemini has none, but may sign the call (<c>thoughtSignature</c>) and
    /// want the signature back with it on the next turn: the id carries it (base64url), as the client sends the id back.
    /// </summary>
    private static string ToolCallId(JsonNode? part) => AiJson.String(part?["thoughtSignature"]) is { Length: > 0 } signature
        ? ChatChunks.NewToolCallId() + SignatureMark + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(signature)).TrimEnd('=').Replace('+', '-').Replace('/', '_')
        : ChatChunks.NewToolCallId();

    private static string? SignatureOf(string toolCallId)
    {
        var at = toolCallId.IndexOf(SignatureMark, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var encoded = toolCallId[(at + SignatureMark.Length)..].Replace('-', '+').Replace('_', '/');
        try
        {
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(encoded.PadRight(encoded.Length + ((4 - (encoded.Length % 4)) % 4), '=')));
        }
        catch (FormatException)
        {
            return null; // not one of ours
        }
    }

    /// <summary>Text and inline images as Gemini parts.</summary>
    private static void AddContent(JsonArray parts, JsonNode? content)
    {
        foreach (var part in ContentPart.Of(content))
        {
            if (part.ImageUrl is null)
            {
                if (part.Text is { Length: > 0 } text)
                {
                    parts.Add(new JsonObject { ["text"] = text });
                }
            }
            else if (part.TryInline(out var mediaType, out var data))
            {
                parts.Add(new JsonObject { ["inlineData"] = new JsonObject { ["mimeType"] = mediaType, ["data"] = data } });
            }
            else
            {
                throw ContentPart.LinkedImage("gemini");
            }
        }
    }

    /// <summary>
    /// A tool's JSON Schema as Gemini's OpenAPI subset takes it: without the keywords it refuses
    /// (<c>additionalProperties</c>, <c>$schema</c>, <c>strict</c>, …), which OpenAI's SDK helpers emit.
    /// </summary>
    private static JsonNode? Schema(JsonNode? schema)
    {
        switch (schema)
        {
            case JsonObject obj:
                var clean = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (key is not ("additionalProperties" or "$schema" or "$id" or "strict" or "$defs" or "definitions" or "$comment"))
                    {
                        clean[key] = key == "properties" && value is JsonObject properties
                            ? new JsonObject([.. properties.Select(p => KeyValuePair.Create(p.Key, Schema(p.Value)))])
                            : Schema(value);
                    }
                }

                return clean;
            case JsonArray array:
                return new JsonArray([.. array.Select(Schema)]);
            default:
                return schema?.DeepClone();
        }
    }

    public override JsonObject FromProvider(JsonObject response, ChatChunks ids)
    {
        var text = new System.Text.StringBuilder();
        var calls = new JsonArray();
        var candidate = (response["candidates"] as JsonArray)?.FirstOrDefault();
        foreach (var part in candidate?["content"]?["parts"] as JsonArray ?? [])
        {
            if (part?["functionCall"] is JsonObject call)
            {
                calls.Add(ChatChunks.ToolCallObject(ToolCallId(part), AiJson.String(call["name"]) ?? "", call["args"]?.ToJsonString() ?? "{}"));
            }
            else if (AiJson.String(part?["text"]) is { } piece && !AiJson.True(part!["thought"]))
            {
                text.Append(piece);
            }
        }

        ids.Id = AiJson.String(response["responseId"]) is { } id ? "chatcmpl-" + id : ids.Id;
        ids.Model = AiJson.String(response["modelVersion"]) ?? ids.Model;
        var finish = calls.Count > 0 ? "tool_calls"
            : candidate is null && response["promptFeedback"]?["blockReason"] is not null ? "content_filter" // the prompt itself was blocked
            : FinishReasonOf(AiJson.String(candidate?["finishReason"]));
        return ids.Completion(calls.Count > 0 && text.Length == 0 ? null : text.ToString(), calls, finish, ReadUsage(response["usageMetadata"]));
    }

    public override LlmStream OpenStream(ChatChunks chunks) => new Stream(chunks);

    public override (string Message, string? Type) Error(JsonNode? body)
    {
        var error = body is JsonArray array ? array.FirstOrDefault()?["error"] : body?["error"];
        return (AiJson.String(error?["message"]) ?? "the provider answered an error", AiJson.String(error?["status"]));
    }

    private static string FinishReasonOf(string? reason) => reason switch
    {
        "MAX_TOKENS" => "length",
        "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" or "IMAGE_SAFETY" => "content_filter",
        _ => "stop",
    };

    /// <summary>Gemini's <c>usageMetadata</c>; thinking tokens are output tokens too, as OpenAI counts reasoning.</summary>
    private static AiUsage? ReadUsage(JsonNode? usage) => usage is JsonObject u
        ? new AiUsage(
            AiJson.Long(u["promptTokenCount"]),
            AiJson.Long(u["candidatesTokenCount"]) + AiJson.Long(u["thoughtsTokenCount"]),
            AiJson.Long(u["cachedContentTokenCount"]))
        : null;

    /// <summary>Each event is a whole GenerateContentResponse holding the next parts; the last has the finish reason and final usage.</summary>
    private sealed class Stream(ChatChunks chunks) : LlmStream(chunks)
    {
        private bool _started;
        private int _toolCalls;
        private string? _finish;

        public override void Read(string? eventName, string data, List<JsonObject> output)
        {
            if (JsonNode.Parse(data) is not JsonObject json)
            {
                return;
            }

            if (json["error"] is not null)
            {
                throw new LlmStreamException(AiJson.String(json["error"]?["message"]) ?? "the provider's stream failed");
            }

            if (!_started)
            {
                _started = true;
                Chunks.Id = AiJson.String(json["responseId"]) is { } id ? "chatcmpl-" + id : Chunks.Id;
                Chunks.Model = AiJson.String(json["modelVersion"]) ?? Chunks.Model;
                output.Add(Chunks.Role());
            }

            Usage = ReadUsage(json["usageMetadata"]) ?? Usage;
            var candidate = (json["candidates"] as JsonArray)?.FirstOrDefault();
            foreach (var part in candidate?["content"]?["parts"] as JsonArray ?? [])
            {
                if (part?["functionCall"] is JsonObject call)
                {
                    output.Add(Chunks.ToolCall(_toolCalls++, ToolCallId(part), AiJson.String(call["name"]), call["args"]?.ToJsonString() ?? "{}"));
                }
                else if (AiJson.String(part?["text"]) is { Length: > 0 } text && !AiJson.True(part!["thought"]))
                {
                    output.Add(Chunks.Text(text));
                }
            }

            if (AiJson.String(candidate?["finishReason"]) is { } reason)
            {
                _finish = reason;
            }
            else if (candidate is null && json["promptFeedback"]?["blockReason"] is not null)
            {
                _finish = "SAFETY";
            }
        }

        public override void End(List<JsonObject> output)
        {
            if (_started)
            {
                FinishReason = _toolCalls > 0 ? "tool_calls" : FinishReasonOf(_finish);
                output.Add(Chunks.Finish(FinishReason));
            }
        }
    }
}
