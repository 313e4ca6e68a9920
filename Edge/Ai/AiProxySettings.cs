namespace Turnpike.Edge.Ai;

/// <summary>One ai-proxy instance's configuration, read once when the route table is compiled.</summary>
internal sealed record AiProxySettings(
    LlmRouteType RouteType,
    LlmModel Model,
    LlmProvider Provider,
    LlmAuth Auth,
    LlmResponseStreaming ResponseStreaming,
    bool ModelNameHeader)
{
    /// <summary>What the logging plugins get of this LLM's calls (Kong's <c>logging</c>).</summary>
    public AiLogging Logging { get; init; } = AiLogging.Off;

    /// <summary>The plugin instance these settings belong to (Kong's <c>meta.plugin_id</c> in the log); set when its handler is made.</summary>
    public Guid PluginId { get; init; }
}
