namespace Turnpike.Edge.Ai;

/// <summary>
/// One finished LLM call as the log phase sees it (the AI metrics, Kong's <c>ai</c> log section): provider and model,
/// the tokens (null when the provider's usage is unknown), the cost in the model's currency, the provider's latency.
/// </summary>
internal sealed record LlmCallRecord(string Provider, string Model, AiUsage? Usage, double Cost, long LatencyMs)
{
    /// <summary>Kong's name for the call in the log's <c>ai</c> section: <c>proxy</c> for ai-proxy and ai-proxy-advanced, the plugin's name otherwise.</summary>
    public string Namespace { get; init; } = AiLogNamespaces.Proxy;

    /// <summary>What the logging plugins get of this call (the LLM's <c>logging</c>).</summary>
    public AiLogging Logging { get; init; } = AiLogging.Off;

    /// <summary>The plugin instance that made the call.</summary>
    public Guid PluginId { get; init; }

    /// <summary>The model the provider said answered (<c>model</c> of its answer); null when it said none.</summary>
    public string? ResponseModel { get; init; }

    /// <summary>The call's bodies, when <c>log_payloads</c> is on.</summary>
    public AiPayloadCapture? Payload { get; init; }
}

/// <summary>The keys of Kong's <c>ai</c> log section.</summary>
internal static class AiLogNamespaces
{
    /// <summary>Kong 3.9's key for ai-proxy and ai-proxy-advanced (<c>ai.proxy.usage</c>, …).</summary>
    public const string Proxy = "proxy";
}
