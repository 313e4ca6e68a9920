using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai;

/// <summary>
/// A call about to be made, as a reservation prices it: the request (OpenAI's format) and every model that may
/// answer it (one for ai-proxy; each of ai-proxy-advanced's targets, since a failover may reach any of them).
/// </summary>
internal sealed class AiCallEstimate(JsonObject body, IReadOnlyList<LlmModel> models)
{
    public JsonObject Body { get; } = body;

    public IReadOnlyList<LlmModel> Models { get; } = models;

    /// <summary>
    /// The most the call may cost, in nanos: the estimated tokens (<see cref="AiEstimate"/>) at the dearest model's
    /// prices, the completion at the request's max_tokens, else that model's, else <paramref name="completionTokens"/>.
    /// </summary>
    public long MaxCostNanos(long completionTokens)
    {
        var prompt = AiEstimate.PromptTokens(Body);
        long most = 0;
        foreach (var model in Models)
        {
            var completion = AiEstimate.CompletionTokens(Body, model.MaxTokens ?? completionTokens);
            most = Math.Max(most, AiMeterNames.CostNanos(new AiUsage(prompt, completion), model));
        }

        return most;
    }
}
