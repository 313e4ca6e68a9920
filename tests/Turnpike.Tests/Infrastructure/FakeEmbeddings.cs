using System.Text.Json.Nodes;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// The fake provider's embeddings: deterministic vectors (a bag of words hashed into 16 dimensions, normalised), so
/// texts sharing words are close and texts sharing none are orthogonal; answered in each provider's wire format
/// (OpenAI's, also Azure's and Mistral's; Gemini's batchEmbedContents; Ollama's /api/embed).
/// </summary>
internal static class FakeEmbeddings
{
    public const int Dimensions = 16;

    public static float[] Vector(string text)
    {
        var vector = new float[Dimensions];
        foreach (var word in text.ToLowerInvariant().Split([' ', ',', '.', '?', '!'], StringSplitOptions.RemoveEmptyEntries))
        {
            var hash = 2166136261u;
            foreach (var c in word)
            {
                hash = (hash ^ c) * 16777619u;
            }

            vector[hash % Dimensions] += 1;
        }

        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return norm == 0 ? vector : [.. vector.Select(v => v / norm)];
    }

    public static JsonObject Answer(string api, string model, JsonObject? body, int promptTokens, JsonArray? values = null)
    {
        List<string> texts = api == "GeminiEmbed"
            ? [.. (body?["requests"] as JsonArray ?? []).Select(r => r?["content"]?["parts"]?[0]?["text"]?.GetValue<string>() ?? "")]
            : body?["input"] is JsonArray inputs ? [.. inputs.Select(i => i?.GetValue<string>() ?? "")] : [body?["input"]?.GetValue<string>() ?? ""];
        JsonArray Values(string text) => values is not null ? (JsonArray)values.DeepClone() : [.. Vector(text).Select(v => (JsonNode)v)];
        return api switch
        {
            "GeminiEmbed" => new JsonObject { ["embeddings"] = new JsonArray([.. texts.Select(t => (JsonNode)new JsonObject { ["values"] = Values(t) })]) },
            "OllamaEmbed" => new JsonObject { ["model"] = model, ["embeddings"] = new JsonArray([.. texts.Select(t => (JsonNode)Values(t))]), ["prompt_eval_count"] = promptTokens },
            _ => new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray([.. texts.Select((t, i) => (JsonNode)new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = Values(t) })]),
                ["model"] = model,
                ["usage"] = new JsonObject { ["prompt_tokens"] = promptTokens, ["total_tokens"] = promptTokens },
            },
        };
    }
}
