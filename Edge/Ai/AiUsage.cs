using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai;

/// <summary>The tokens one LLM call used, as the provider reported them; prompt tokens include cached ones, as in OpenAI's usage.</summary>
internal readonly record struct AiUsage(long PromptTokens, long CompletionTokens, long CachedTokens = 0)
{
    /// <summary>Nothing used: the provider was not reached, or refused the request.</summary>
    public static readonly AiUsage None = default;

    public long TotalTokens => PromptTokens + CompletionTokens;

    /// <summary>OpenAI's <c>usage</c> object.</summary>
    public JsonObject ToJson() => new()
    {
        ["prompt_tokens"] = PromptTokens,
        ["completion_tokens"] = CompletionTokens,
        ["total_tokens"] = TotalTokens,
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = CachedTokens },
    };

    /// <summary>Reads OpenAI's <c>usage</c> object (also what Azure and Mistral send); null when absent.</summary>
    public static AiUsage? FromOpenAi(JsonNode? usage) => usage is JsonObject u
        ? new AiUsage(
            AiJson.Long(u["prompt_tokens"]),
            AiJson.Long(u["completion_tokens"]),
            AiJson.Long(u["prompt_tokens_details"]?["cached_tokens"]))
        : null;
}
