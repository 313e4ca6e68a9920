using Microsoft.Extensions.Logging;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Ai.Balancing;
using Turnpike.Edge.Plugins.AiProxy;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.AiProxyAdvanced;

/// <summary>
/// Kong's ai-proxy-advanced: several LLMs behind one route (<c>targets</c>, each configured as ai-proxy is), chosen
/// per request by <c>balancer.algorithm</c>, with failover to the next target on the <c>failover_criteria</c>.
/// </summary>
internal sealed class AiProxyAdvancedPlugin(ILoggerFactory loggers, UpstreamClients clients, TimeProvider time) : GatewayPlugin<AiProxyAdvancedOptions>
{
    /// <summary>Kong's failover_criteria names (nginx's proxy_next_upstream).</summary>
    private static readonly Dictionary<string, LlmFailure> Criteria = new(StringComparer.Ordinal)
    {
        ["error"] = LlmFailure.Error,
        ["timeout"] = LlmFailure.Timeout,
        ["invalid_header"] = LlmFailure.InvalidHeader,
        ["http_403"] = LlmFailure.Http403,
        ["http_404"] = LlmFailure.Http404,
        ["http_429"] = LlmFailure.Http429,
        ["http_500"] = LlmFailure.Http500,
        ["http_502"] = LlmFailure.Http502,
        ["http_503"] = LlmFailure.Http503,
        ["http_504"] = LlmFailure.Http504,
        ["non_idempotent"] = LlmFailure.None, // LLM calls are resent only before the client got a byte, so POSTs always may be
    };

    private static readonly ConfigField<int> Weight = Field.Integer("weight", 1, 65535).Default(100);
    private static readonly ConfigField<string?> Description = Field.String("description");

    private static readonly ConfigSchema<TargetConfig> Target = new(
        [
            .. AiProxyPlugin.LlmSteps,
            ConfigCheck.Entity((c, _) => c.Get(AiProxyPlugin.RouteType) == "preserve"
                ? "route_type 'preserve' cannot be balanced (the body passes unread); use ai-proxy"
                : null),
            Weight,
            Description,
            AiProxyPlugin.Logging,
        ],
        c => new((streaming, header) => AiProxyPlugin.Settings(c, streaming, header), c.Get(Weight), c.Get(Description)));

    private static readonly ConfigField<TargetConfig[]> Targets = Field.Records("targets", Target, nonEmpty: true, maxLength: LlmBalancer.MaxTargets);

    private static readonly ConfigField<string> Algorithm = Field.OneOf("algorithm", ["round-robin", "lowest-latency", "lowest-usage", "consistent-hashing", "priority"]).Default("round-robin");
    private static readonly ConfigField<int> ConnectTimeout = Field.Integer("connect_timeout", 1, int.MaxValue).Default(60_000);
    private static readonly ConfigField<int> ReadTimeout = Field.Integer("read_timeout", 1, int.MaxValue).Default(60_000);
    private static readonly ConfigField<int> WriteTimeout = Field.Integer("write_timeout", 1, int.MaxValue).Default(60_000);
    private static readonly ConfigField<string> HashOnHeader = Field.HeaderName("hash_on_header").Default("X-Kong-LLM-Request-ID");
    private static readonly ConfigField<string> LatencyStrategy = Field.OneOf("latency_strategy", ["tpot", "e2e"]).Default("tpot");
    private static readonly ConfigField<int> Retries = Field.Integer("retries", 0, 32767).Default(5);
    private static readonly ConfigField<int> Slots = Field.Integer("slots", 10, 65536).Default(10000); // accepted: rendezvous hashing needs no ring
    private static readonly ConfigField<string> TokensCountStrategy = Field.OneOf("tokens_count_strategy", ["total-tokens", "prompt-tokens", "completion-tokens", "cost"]).Default("total-tokens");
    private static readonly ConfigField<string[]> FailoverCriteria = Field.Strings("failover_criteria", oneOf: [.. Criteria.Keys], set: true).Default("error", "timeout");

    private static readonly ConfigField<LlmBalancerSettings> Balancer = Field.Record("balancer", new ConfigSchema<LlmBalancerSettings>(
        [Algorithm, ConnectTimeout, ReadTimeout, WriteTimeout, HashOnHeader, LatencyStrategy, Retries, Slots, TokensCountStrategy, FailoverCriteria],
        c => new()
        {
            Algorithm = c.Get(Algorithm) switch
            {
                "lowest-latency" => LlmBalancerAlgorithm.LowestLatency,
                "lowest-usage" => LlmBalancerAlgorithm.LowestUsage,
                "consistent-hashing" => LlmBalancerAlgorithm.ConsistentHashing,
                "priority" => LlmBalancerAlgorithm.Priority,
                _ => LlmBalancerAlgorithm.RoundRobin,
            },
            ConnectTimeoutMs = c.Get(ConnectTimeout),
            ReadTimeoutMs = c.Get(ReadTimeout),
            WriteTimeoutMs = c.Get(WriteTimeout),
            HashOnHeader = c.Get(HashOnHeader),
            LatencyPerToken = c.Get(LatencyStrategy) == "tpot",
            Retries = c.Get(Retries),
            TokensCountStrategy = c.Get(TokensCountStrategy),
            FailoverCriteria = c.Get(FailoverCriteria).Aggregate(LlmFailure.None, (all, name) => all | Criteria[name]),
        }));

    private static readonly ConfigSchema<AiProxyAdvancedOptions> Schema = new(
        [
            Targets,
            Balancer,
            AiProxyPlugin.ResponseStreaming,
            AiProxyPlugin.ModelNameHeader,
            AiRequest.MaxBodySize,
            AiProxyPlugin.LlmFormat,
        ],
        c =>
        {
            var (streaming, header) = (c.Get(AiProxyPlugin.ResponseStreaming), c.Get(AiProxyPlugin.ModelNameHeader));
            return new(
                [.. c.Get(Targets).Select(t => new LlmTarget(t.Settings(streaming, header), t.Weight, t.Description))],
                c.Get(Balancer),
                c.Get(AiRequest.MaxBodySize),
                c.Get(AiProxyPlugin.LlmFormat) == "anthropic");
        });

    private readonly ILogger _logger = loggers.CreateLogger("Turnpike.Edge.Plugins.AiProxyAdvanced");

    public override string Name => "ai-proxy-advanced";

    public override int Priority => 770;

    public override ConfigSchema<AiProxyAdvancedOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(AiProxyAdvancedOptions options, Guid instanceId) =>
        new AiProxyAdvancedHandler(
            new LlmBalancer([.. options.Targets.Select(t => new LlmTarget(t.Settings with { PluginId = instanceId }, t.Weight, t.Description))], options.Balancer, time),
            clients,
            _logger,
            options.MaxRequestBodySize,
            options.AnthropicClients);

    /// <summary>A target as read: its settings wait for the instance's response_streaming and model_name_header.</summary>
    private sealed record TargetConfig(Func<string, bool, AiProxySettings> Settings, int Weight, string? Description);
}

/// <summary>One ai-proxy-advanced instance's configuration.</summary>
internal sealed record AiProxyAdvancedOptions(LlmTarget[] Targets, LlmBalancerSettings Balancer, int MaxRequestBodySize, bool AnthropicClients);
