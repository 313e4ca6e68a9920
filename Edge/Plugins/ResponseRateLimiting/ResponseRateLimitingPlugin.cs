using Turnpike.Edge.RateLimiting;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.ResponseRateLimiting;

/// <summary>
/// Kong's response-ratelimiting: limits per metric the upstream reports in <c>X-Kong-Limit</c> (<c>videos=2, images=1</c>),
/// counted region-wide with the same leases as rate-limiting (<c>policy: cluster</c>, the default), across regions (<c>global</c>) or per edge (<c>local</c>).
/// </summary>
internal sealed class ResponseRateLimitingPlugin(ClusterQuota cluster, LocalQuota local, RateLimitMetrics metrics) : GatewayPlugin<ResponseRateLimitingOptions>
{
    private static readonly ConfigField<string> HeaderName = Field.HeaderName("header_name").Default("x-kong-limit");
    private static readonly ConfigField<string> LimitBy = Field.OneOf("limit_by", ["consumer", "credential", "ip"]).Default("consumer");
    private static readonly ConfigField<string> Policy = Field.OneOf("policy", QuotaPolicies.Names).Default("cluster");
    private static readonly ConfigField<bool> FaultTolerant = Field.Boolean("fault_tolerant").Default(true);
    private static readonly ConfigField<bool> BlockOnFirstViolation = Field.Boolean("block_on_first_violation").Default(false);
    private static readonly ConfigField<bool> HideClientHeaders = Field.Boolean("hide_client_headers").Default(false);
    private static readonly ConfigField<ResponseLimit[]?> Limits = ResponseLimitsField.Create("limits");

    private static readonly ConfigSchema<ResponseRateLimitingOptions> Schema = new(
        [HeaderName, LimitBy, Policy, FaultTolerant, BlockOnFirstViolation, HideClientHeaders, Limits],
        c => new(Guid.Empty, c.Get(HeaderName), c.Get(LimitBy), QuotaPolicies.Parse(c.Get(Policy)), c.Get(FaultTolerant), c.Get(BlockOnFirstViolation), c.Get(HideClientHeaders), c.Get(Limits) ?? []));

    public override string Name => "response-ratelimiting";

    public override int Priority => 900;

    public override ConfigSchema<ResponseRateLimitingOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(ResponseRateLimitingOptions options, Guid instanceId) =>
        new ResponseRateLimitingHandler(options with { InstanceId = instanceId }, cluster, local, metrics);
}

/// <summary>One response-ratelimiting instance's configuration (the instance id names its counters).</summary>
internal sealed record ResponseRateLimitingOptions(
    Guid InstanceId,
    string HeaderName,
    string LimitBy,
    QuotaPolicy Policy,
    bool FaultTolerant,
    bool BlockOnFirstViolation,
    bool HideClientHeaders,
    ResponseLimit[] Limits);
