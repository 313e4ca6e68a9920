namespace Turnpike.Edge.Ai;

/// <summary>
/// One finished LLM call as the log phase sees it (the AI metrics, Kong's <c>ai</c> log section): provider and model,
/// the tokens (null when the provider's usage is unknown), the cost in the model's currency, the provider's latency.
/// </summary>
internal sealed record LlmCallRecord(string Provider, string Model, AiUsage? Usage, double Cost, long LatencyMs);
