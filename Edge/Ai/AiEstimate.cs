using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai;

/// <summary>
/// What a request will use before it is sent, for reservations (ai-rate-limiting's tokens, ai-budget's money): the
/// prompt at four characters a token plus four a message, and the completion at the request's max_tokens, else the
/// model's configured max_tokens, else the plugin's <c>estimated_completion_tokens</c>.
/// </summary>
internal static class AiEstimate
{
    public static long PromptTokens(JsonObject body)
    {
        if (body["messages"] is JsonArray messages)
        {
            long tokens = 0;
            foreach (var message in messages)
            {
                tokens += 4 + ((AiJson.Text(message?["content"]).Length + 3) / 4);
            }

            return tokens;
        }

        if (body["input"] is JsonArray inputs)
        {
            return inputs.Sum(i => (long)((AiJson.Text(i).Length + 3) / 4)); // embeddings: every text
        }

        return (AiJson.Text(body["prompt"] ?? body["input"]).Length + 3) / 4;
    }

    public static long CompletionTokens(JsonObject body, long otherwise) =>
        AiJson.Long(body["max_completion_tokens"] ?? body["max_tokens"]) is > 0 and var max ? max : otherwise;
}
