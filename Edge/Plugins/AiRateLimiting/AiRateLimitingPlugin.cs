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
internal sealed class AiRateLimitingPlugin(ClusterQuota cluster, LocalQuota local, RateLimitMetrics metrics) : GatewayPlugin<AiRateLimitingOptions>
{
    private static readonly ConfigField<string> TokensCountStrategy = Field.OneOf("tokens_count_strategy", ["total_tokens", "prompt_tokens", "completion_tokens"]).Default("total_tokens");
    private static readonly ConfigField<int> EstimatedCompletionTokens = Field.Integer("estimated_completion_tokens", 0, int.MaxValue).Default(256);
    private static readonly RateLimitFields Limits = new("AI token rate limit exceeded", ["consumer", "credential", "ip", "service"]);

    // The strategy and estimate are read before the limits, as they always were: a bad one keeps "at least one window" quiet.
    private static readonly ConfigSchema<AiRateLimitingOptions> Schema = new(
        [TokensCountStrategy, EstimatedCompletionTokens, .. Limits.Steps, AiRequest.MaxBodySize],
        c => new(Limits.Bind(c), c.Get(TokensCountStrategy), c.Get(EstimatedCompletionTokens), c.Get(AiRequest.MaxBodySize)));

    public override string Name => "ai-rate-limiting";

    public override int Priority => 905;

    public override ConfigSchema<AiRateLimitingOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(AiRateLimitingOptions options, Guid instanceId) => new AiRateLimitingHandler(
        new RateLimitGate(options.Limits with { InstanceId = instanceId }, "AI-RateLimit", (http, status, message) => AiErrors.WriteAsync(http, status, message, "rate_limit_error"), cluster, local, metrics),
        options.TokensCountStrategy,
        options.EstimatedCompletionTokens,
        options.MaxRequestBodySize);
}

/// <summary>One ai-rate-limiting instance's configuration: rate-limiting's limits, counted in tokens.</summary>
internal sealed record AiRateLimitingOptions(RateLimitingOptions Limits, string TokensCountStrategy, int EstimatedCompletionTokens, int MaxRequestBodySize);
