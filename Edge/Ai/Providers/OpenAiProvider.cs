using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai.Providers;

/// <summary>
/// OpenAI's own format, which Azure OpenAI and Mistral speak too: requests pass through with the model set, and
/// streams are asked to report usage (<c>stream_options.include_usage</c>) so every streamed token is counted.
/// </summary>
internal sealed class OpenAiProvider(string name) : LlmProvider
{
    public override string Name => name;

    public override bool HasCompletions => name is "openai" or "azure";

    public override bool HasTopK => false;

    public override bool HasChoices => true;

    public override Uri Endpoint(LlmModel model, string modelName, bool stream, bool completions)
    {
        var operation = completions ? "completions" : "chat/completions";
        return name switch
        {
            "azure" => Configured(model, $"https://{model.AzureInstance}.openai.azure.com/openai/deployments/{model.AzureDeploymentId ?? modelName}/{operation}?api-version={model.AzureApiVersion}"),
            "mistral" => Configured(model, "https://api.mistral.ai/v1/chat/completions"),
            _ => Configured(model, "https://api.openai.com/v1/" + operation),
        };
    }

    public override bool HasEmbeddings => true;

    public override Uri EmbeddingsEndpoint(LlmModel model, string modelName) => name switch
    {
        "azure" => Configured(model, $"https://{model.AzureInstance}.openai.azure.com/openai/deployments/{model.AzureDeploymentId ?? modelName}/embeddings?api-version={model.AzureApiVersion}"),
        "mistral" => Configured(model, "https://api.mistral.ai/v1/embeddings"),
        _ => Configured(model, "https://api.openai.com/v1/embeddings"),
    };

    public override JsonObject ToProvider(JsonObject request, string modelName, bool stream, LlmModel model)
    {
        var body = (JsonObject)request.DeepClone();
        body["model"] = modelName;
        body.Remove("top_k");
        if (stream)
        {
            body["stream"] = true;
            if (AsksForStreamUsage(model))
            {
                var options = body["stream_options"] as JsonObject ?? [];
                options["include_usage"] = true;
                body["stream_options"] = options;
            }
            else
            {
                body.Remove("stream_options");
            }
        }

        return body;
    }

    /// <summary>
    /// Whether streams are asked to report usage: Mistral sends it in its last chunk unasked and refuses the field;
    /// Azure takes it from api-version 2024-09-01 (dated versions compare as text).
    /// </summary>
    private bool AsksForStreamUsage(LlmModel model) => name switch
    {
        "mistral" => false,
        "azure" => string.CompareOrdinal(AzureApiVersion(model), "2024-09-01") >= 0,
        _ => true,
    };

    private static string AzureApiVersion(LlmModel model) =>
        model.UpstreamUrl is { } url && Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(url).Query).TryGetValue("api-version", out var version)
            ? version.ToString()
            : model.AzureApiVersion;

    public override JsonObject FromProvider(JsonObject response, ChatChunks ids)
    {
        // Already OpenAI's shape; fill in what an OpenAI client relies on should a compatible server leave it out.
        response["id"] ??= ids.Id;
        response["created"] ??= ids.Created;
        response["model"] ??= ids.Model;
        return response;
    }

    public override LlmStream OpenStream(ChatChunks chunks) => new Stream(chunks);

    public override (string Message, string? Type) Error(JsonNode? body) =>
        (AiJson.String(body?["error"]?["message"]) ?? AiJson.String(body?["message"]) ?? AiJson.String(body?["detail"]) ?? "the provider answered an error",
         AiJson.String(body?["error"]?["type"]));

    /// <summary>OpenAI's chunks go on as they are; the usage chunk is kept back for the gateway to send (or not) at the end.</summary>
    private sealed class Stream(ChatChunks chunks) : LlmStream(chunks)
    {
        public override void Read(string? eventName, string data, List<JsonObject> output)
        {
            if (data == "[DONE]" || JsonNode.Parse(data) is not JsonObject chunk)
            {
                return;
            }

            // The chunks the gateway adds (usage) carry the provider's id and model, as the provider's own do.
            Chunks.Id = AiJson.String(chunk["id"]) ?? Chunks.Id;
            Chunks.Model = AiJson.String(chunk["model"]) ?? Chunks.Model;
            if (AiUsage.FromOpenAi(chunk["usage"]) is { } usage)
            {
                Usage = usage;
            }

            chunk.Remove("usage");
            if (chunk["choices"] is JsonArray { Count: > 0 } choices)
            {
                chunk["id"] ??= Chunks.Id;
                chunk["created"] ??= Chunks.Created;
                chunk["model"] ??= Chunks.Model;
                if (AiJson.String(choices[0]?["finish_reason"]) is { } finish)
                {
                    FinishReason = finish;
                }

                output.Add(chunk);
            }
        }
    }
}
