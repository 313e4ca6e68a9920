using Prometheus;

namespace Turnpike.Edge.Observability;

/// <summary>The children of Kong's AI metrics for one provider and model (no semantic cache or vector database: their labels are empty).</summary>
internal sealed class AiSeries(GatewayMetrics metrics, string provider, string model)
{
    public Counter.Child Requests => field ??= metrics.AiRequests.WithLabels(provider, model, "", "", "", "", GatewayMetrics.Workspace);

    public Counter.Child Cost => field ??= metrics.AiCost.WithLabels(provider, model, "", "", "", "", GatewayMetrics.Workspace);

    public Counter.Child PromptTokens => field ??= metrics.AiTokens.WithLabels(provider, model, "", "", "", "", GatewayMetrics.Workspace, "prompt_tokens");

    public Counter.Child CompletionTokens => field ??= metrics.AiTokens.WithLabels(provider, model, "", "", "", "", GatewayMetrics.Workspace, "completion_tokens");

    public Counter.Child TotalTokens => field ??= metrics.AiTokens.WithLabels(provider, model, "", "", "", "", GatewayMetrics.Workspace, "total_tokens");

    public Histogram.Child Latency => field ??= metrics.AiLatency.WithLabels(provider, model, "", "", "", "", GatewayMetrics.Workspace);
}
