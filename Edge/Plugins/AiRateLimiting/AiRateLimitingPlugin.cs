using System.Text.Json.Nodes;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Plugins.RateLimiting;
using Turnpike.Edge.RateLimiting;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.AiRateLimiting;

/// <summary>
/// Token limits per window (prompt, completion or total tokens), enforced cluster-wide by the same leased counters
/// as rate-limiting. A request reserves an estimate before it goes; once the provider reports its usage the
/// reservation is settled to the real count.
/// </summary>
internal sealed class AiRateLimitingPlugin(ClusterQuota cluster, LocalQuota local, RateLimitMetrics metrics) : IGatewayPlugin
{
    private static readonly string[] Strategies = ["total_tokens", "prompt_tokens", "completion_tokens"];

    public string Name => "ai-rate-limiting";

    public int Priority => 905;

    public string Version => "1.0.0";

    public JsonObject ReadConfig(FieldReader config)
    {
        var strategy = config.OneOf("tokens_count_strategy", Strategies) ?? "total_tokens";

        var estimate = config.Integer("estimated_completion_tokens", 0, int.MaxValue) ?? 256;
        var result = RateLimitingPlugin.ReadLimits(config, "AI token rate limit exceeded", ["consumer", "credential", "ip", "service"]);
        result["tokens_count_strategy"] = strategy;
        result["estimated_completion_tokens"] = estimate;
        result["max_request_body_size"] = AiRequest.MaxBodySize(config);
        config.RejectUnknown();
        return result;
    }

    public IPluginHandler CreateHandler(JsonObject config, Guid instanceId) => new AiRateLimitingHandler(
        new RateLimitGate(RateLimitingPlugin.Options(config, instanceId), "AI-RateLimit", (http, status, message) => AiErrors.WriteAsync(http, status, message, "rate_limit_error"), cluster, local, metrics),
        config["tokens_count_strategy"]!.GetValue<string>(),
        config["estimated_completion_tokens"]!.GetValue<int>(),
        config["max_request_body_size"]!.GetValue<int>());
}
