using Turnpike.Edge.Proxy;
using Turnpike.Edge.RateLimiting;
using Turnpike.Edge.Schema;
using Turnpike.RateLimiting;

namespace Turnpike.Edge.Plugins.RateLimiting;

/// <summary>
/// Kong's rate-limiting, with <c>policy: cluster</c> (the default here) exact across a region's edges by leasing permits
/// from counter grains, <c>global</c> exact across regions (the regions' counters lease from the home region's), and
/// <c>local</c> counting per edge as Kong does.
/// </summary>
internal sealed class RateLimitingPlugin(ClusterQuota cluster, LocalQuota local, RateLimitMetrics metrics) : GatewayPlugin<RateLimitingOptions>
{
    private static readonly RateLimitFields Limits = new("API rate limit exceeded", ["consumer", "credential", "ip", "service", "header", "path"]);

    private static readonly ConfigSchema<RateLimitingOptions> Schema = new(Limits.Steps, Limits.Bind);

    public override string Name => "rate-limiting";

    public override int Priority => 910;

    public override ConfigSchema<RateLimitingOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(RateLimitingOptions options, Guid instanceId) =>
        new RateLimitingHandler(new RateLimitGate(options with { InstanceId = instanceId }, "RateLimit", ProxyErrors.WriteAsync, cluster, local, metrics));
}

/// <summary>One rate-limiting instance's configuration, bound once when the instance is compiled (the instance id names its counters).</summary>
internal sealed record RateLimitingOptions(
    Guid InstanceId,
    WindowLimit[] Limits,
    string LimitBy,
    string? HeaderName,
    string? Path,
    QuotaPolicy Policy,
    bool FaultTolerant,
    bool HideClientHeaders,
    int ErrorCode,
    string ErrorMessage);
