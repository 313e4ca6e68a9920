using System.Text.Json.Nodes;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Plugins.RateLimiting;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.AiRateLimiting;

/// <summary>
/// Reserves the request's estimated tokens, and settles to the tokens the provider reported once the response is
/// over: to none when the provider was not reached or refused, to the estimate when it answered without usage.
/// The estimate: prompt text at four characters a token plus four a message, and the request's max_tokens
/// (else estimated_completion_tokens).
/// </summary>
internal sealed class AiRateLimitingHandler(RateLimitGate gate, string strategy, int estimatedCompletionTokens, int maxBodyBytes) : IPluginHandler
{
    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        if (await AiRequest.ReadAsync(context, maxBodyBytes) is not { } ai)
        {
            return false;
        }

        var estimate = Count(EstimatePrompt(ai.Body), EstimateCompletion(ai.Body));
        if (await gate.TryTakeAsync(context, estimate) is not { } taken)
        {
            return false;
        }

        ai.OnSettled(usage => gate.Settle(taken, usage is { } used ? Count(used.PromptTokens, used.CompletionTokens) : taken.Cost));
        return true;
    }

    private long Count(long prompt, long completion) => strategy switch
    {
        "prompt_tokens" => prompt,
        "completion_tokens" => completion,
        _ => prompt + completion,
    };

    private static long EstimatePrompt(JsonObject body)
    {
        if (body["messages"] is JsonArray messages)
        {
            return messages.Sum(m => 4 + ((AiJson.Text(m?["content"]).Length + 3) / 4));
        }

        return (AiJson.Text(body["prompt"]).Length + 3) / 4;
    }

    private long EstimateCompletion(JsonObject body) =>
        AiJson.Long(body["max_completion_tokens"] ?? body["max_tokens"]) is > 0 and var max ? max : estimatedCompletionTokens;
}
