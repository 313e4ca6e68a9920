namespace Turnpike.Edge.Ai;

/// <summary>One ai-proxy instance's configuration, read once when the route table is compiled.</summary>
internal sealed record AiProxySettings(
    LlmRouteType RouteType,
    LlmModel Model,
    LlmProvider Provider,
    LlmAuth Auth,
    LlmResponseStreaming ResponseStreaming,
    bool ModelNameHeader);
