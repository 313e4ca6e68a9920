namespace Turnpike.Edge.Ai;

/// <summary>
/// The named meter counters AI traffic adds, each suffixed with <c>{provider}/{model}</c> so usage and billing
/// break down per model: <c>ai_prompt_tokens:openai/gpt-4o</c>, say. A billing price may name any of them.
/// </summary>
internal static class AiMeterNames
{
    public const string PromptTokens = "ai_prompt_tokens:";
    public const string CompletionTokens = "ai_completion_tokens:";
    public const string CachedTokens = "ai_cached_tokens:";

    /// <summary>Tokens ai-semantic-cache answered from its cache instead of the model (prompt and completion of the stored answer): not spent, not billed.</summary>
    public const string TokensSaved = "ai_tokens_saved:";

    /// <summary>What the tokens cost at the model's input_cost and output_cost, in billionths of the currency unit (exact for prices with up to three decimals).</summary>
    public const string Cost = "ai_cost_nanos:";

    /// <summary>input_cost and output_cost are per million tokens: tokens × price × 10⁻⁶ units = tokens × price × 10³ nanos.</summary>
    public static long CostNanos(AiUsage usage, LlmModel model) =>
        (long)Math.Round((usage.PromptTokens * (decimal)model.InputCost * 1000m) + (usage.CompletionTokens * (decimal)model.OutputCost * 1000m), MidpointRounding.AwayFromZero);

    /// <summary>
    /// Adds an LLM call's tokens and their cost to the request's meters under <c>{provider}/{model}</c> — the one way
    /// ai-proxy's exchange and the AI transformers' own calls are metered; nothing for an unknown or empty usage.
    /// </summary>
    /// <returns>The cost in nanos (0 when nothing was used or the usage is unknown).</returns>
    public static long Meter(Proxy.ProxyContext context, LlmModel model, string modelName, AiUsage? usage)
    {
        if (usage is not { } used || used == AiUsage.None)
        {
            return 0;
        }

        var costNanos = CostNanos(used, model);
        var label = $"{model.Provider}/{modelName}";
        context.AddMeterCounter(PromptTokens + label, used.PromptTokens);
        context.AddMeterCounter(CompletionTokens + label, used.CompletionTokens);
        if (used.CachedTokens > 0)
        {
            context.AddMeterCounter(CachedTokens + label, used.CachedTokens);
        }

        if (costNanos > 0)
        {
            context.AddMeterCounter(Cost + label, costNanos);
        }

        return costNanos;
    }
}
