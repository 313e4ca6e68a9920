using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai;

/// <summary>
/// OpenAI's embeddings format, for providers with their own (Gemini, Ollama): the request's texts, and the
/// <c>list</c> answer with each vector as floats or, for <c>encoding_format: base64</c> (what OpenAI's SDKs ask for
/// by default), as little-endian float32 in base64.
/// </summary>
internal static class EmbeddingsFormat
{
    /// <summary>The texts of <c>input</c> (a string or a list of strings); token arrays, which only OpenAI reads, are refused.</summary>
    public static List<string> Texts(JsonObject request, string provider)
    {
        switch (request["input"])
        {
            case JsonValue value when AiJson.String(value) is { } text:
                return [text];
            case JsonArray items when items.All(i => AiJson.String(i) is not null):
                return [.. items.Select(i => AiJson.String(i)!)];
            default:
                throw new LlmRequestException($"'input' must be a string or a list of strings for the {provider} provider");
        }
    }

    /// <summary>OpenAI's answer for <paramref name="vectors"/>, in the encoding the request asked for.</summary>
    public static JsonObject List(JsonObject request, string modelName, IReadOnlyList<float[]> vectors, AiUsage usage)
    {
        var base64 = AiJson.String(request["encoding_format"]) == "base64";
        var data = new JsonArray();
        for (var i = 0; i < vectors.Count; i++)
        {
            data.Add(new JsonObject
            {
                ["object"] = "embedding",
                ["index"] = i,
                ["embedding"] = base64 ? Convert.ToBase64String(MemoryMarshal.AsBytes(vectors[i].AsSpan())) : new JsonArray([.. vectors[i].Select(v => (JsonNode)v)]),
            });
        }

        return new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = modelName,
            ["usage"] = new JsonObject { ["prompt_tokens"] = usage.PromptTokens, ["total_tokens"] = usage.PromptTokens },
        };
    }

    /// <summary>A vector from a JSON array of numbers (anything else reads as 0).</summary>
    public static float[] Vector(JsonNode? values) =>
        values is JsonArray array ? [.. array.Select(v => (float)(AiJson.Number(v) ?? 0))] : [];

    /// <summary>Four characters a token, for providers that report no count.</summary>
    public static long EstimateTokens(IEnumerable<string> texts) => texts.Sum(t => (long)((t.Length + 3) / 4));
}
