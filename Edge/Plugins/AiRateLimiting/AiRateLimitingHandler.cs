using Turnpike.Edge.Ai;
using Turnpike.Edge.Plugins.RateLimiting;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.AiRateLimiting;

/// <summary>
/// Reserves the request's estimated tokens, and settles to the tokens the provider reported once the response is
/// over: to none when the provider was not reached or refused, to the estimate when it answered without usage.
/// The estimate is <see cref="AiEstimate"/>'s, with the request's max_tokens (else estimated_completion_tokens).
/// </summary>
internal sealed class AiRateLimitingHandler(RateLimitGate gate, string strategy, int estimatedCompletionTokens, int maxBodyBytes) : IPluginHandler
{
    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        if (await AiRequest.ReadAsync(context, maxBodyBytes) is not { } ai)
        {
            return false;
        }

        var estimate = Count(AiEstimate.PromptTokens(ai.Body), AiEstimate.CompletionTokens(ai.Body, estimatedCompletionTokens));
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
}
