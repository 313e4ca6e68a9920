using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Upstreams;

/// <summary>
/// An upstream's <c>healthchecks</c> in Kong's shape: active probes (an HTTP GET of <c>http_path</c> every
/// <c>interval</c> seconds, 0 = off) and passive checks of live traffic, each with thresholds of consecutive
/// successes and failures (0 = off) and the statuses that count as either. Declared once (<see cref="Schema"/>):
/// the admin API validates with it, stores what it fills in, and the balancer binds the stored JSON with it.
/// </summary>
internal sealed record HealthCheckSettings(ActiveHealthChecks Active, PassiveHealthChecks Passive)
{
    private static readonly ConfigField<ActiveHealthChecks> ActiveRecord = Field.Record("active", ActiveHealthChecks.Schema);
    private static readonly ConfigField<PassiveHealthChecks> PassiveRecord = Field.Record("passive", PassiveHealthChecks.Schema);

    /// <summary>Kong's <c>healthchecks</c> record: every level optional, defaults filled in (Kong's defaults: all checks off).</summary>
    public static readonly ConfigSchema<HealthCheckSettings> Schema = new([ActiveRecord, PassiveRecord], c => new(c.Get(ActiveRecord), c.Get(PassiveRecord)));

    public bool ActiveOn => Active.Healthy.Interval > 0 || Active.Unhealthy.Interval > 0;

    public bool PassiveOn => Passive.Unhealthy.HttpFailures > 0 || Passive.Unhealthy.TcpFailures > 0 || Passive.Unhealthy.Timeouts > 0;

    /// <summary>The settings of an upstream's stored <c>healthchecks</c> (what <see cref="Schema"/> validated and filled in).</summary>
    public static HealthCheckSettings Parse(string json) => Schema.Bind(JsonNode.Parse(json)!.AsObject());

    /// <summary>Only HTTP checks are built; Kong's other types are refused with a message saying so.</summary>
    internal static ConfigField<string> Type() =>
        Field.String("type").Default("http").Check(t => t == "http" ? null : "not supported yet: only http", "one_of", new JsonArray("http"));

    internal static ConfigField<double> Seconds(string name, double value) => Field.Number(name, 0, 65535).Default(value);

    internal static ConfigField<int> Count(string name) => Field.Integer(name, 0, 255).Default(0);

    internal static ConfigField<int[]> Statuses(params int[] defaults) =>
        Field.Integers("http_statuses", 100, 999, "expected an array of HTTP statuses (100 to 999)").Default(defaults);
}

/// <summary>Active probes: what to GET, how long to wait, and when a target turns healthy or unhealthy.</summary>
internal sealed record ActiveHealthChecks(string HttpPath, double Timeout, HealthyThresholds Healthy, UnhealthyThresholds Unhealthy)
{
    private static readonly ConfigField<string> PathField = Field.String("http_path").Default("/");
    private static readonly ConfigField<double> TimeoutField = HealthCheckSettings.Seconds("timeout", 1);
    private static readonly ConfigField<double> HealthyInterval = HealthCheckSettings.Seconds("interval", 0);
    private static readonly ConfigField<double> UnhealthyInterval = HealthCheckSettings.Seconds("interval", 0);
    private static readonly ConfigField<HealthyThresholds> HealthyField = Field.Record("healthy", HealthyThresholds.Declare(HealthyInterval, HealthCheckSettings.Statuses(200, 302)));
    private static readonly ConfigField<UnhealthyThresholds> UnhealthyField = Field.Record("unhealthy", UnhealthyThresholds.Declare(UnhealthyInterval, HealthCheckSettings.Statuses(429, 404, 500, 501, 502, 503, 504, 505)));

    public static readonly ConfigSchema<ActiveHealthChecks> Schema = new(
        [HealthCheckSettings.Type(), PathField, TimeoutField, HealthyField, UnhealthyField],
        c => new(c.Get(PathField), c.Get(TimeoutField), c.Get(HealthyField), c.Get(UnhealthyField)));
}

/// <summary>Passive checks of live traffic: when answers turn a target healthy or unhealthy.</summary>
internal sealed record PassiveHealthChecks(HealthyThresholds Healthy, UnhealthyThresholds Unhealthy)
{
    private static readonly int[] DefaultHealthy = [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308];

    private static readonly ConfigField<HealthyThresholds> HealthyField = Field.Record("healthy", HealthyThresholds.Declare(null, HealthCheckSettings.Statuses(DefaultHealthy)));
    private static readonly ConfigField<UnhealthyThresholds> UnhealthyField = Field.Record("unhealthy", UnhealthyThresholds.Declare(null, HealthCheckSettings.Statuses(429, 500, 503)));

    public static readonly ConfigSchema<PassiveHealthChecks> Schema = new(
        [HealthCheckSettings.Type(), HealthyField, UnhealthyField],
        c => new(c.Get(HealthyField), c.Get(UnhealthyField)));
}

/// <summary>Consecutive successes (0 = off) that make a target healthy, and the statuses that count; active probes also an interval.</summary>
internal sealed record HealthyThresholds(double Interval, int Successes, int[] HttpStatuses)
{
    public static ConfigSchema<HealthyThresholds> Declare(ConfigField<double>? interval, ConfigField<int[]> statuses)
    {
        var successes = HealthCheckSettings.Count("successes");
        ConfigStep[] steps = interval is null ? [successes, statuses] : [interval, successes, statuses];
        return new(steps, c => new(interval is null ? 0 : c.Get(interval), c.Get(successes), c.Get(statuses)));
    }
}

/// <summary>Consecutive failures of each kind (0 = off) that make a target unhealthy, and the statuses that count; active probes also an interval.</summary>
internal sealed record UnhealthyThresholds(double Interval, int HttpFailures, int TcpFailures, int Timeouts, int[] HttpStatuses)
{
    public static ConfigSchema<UnhealthyThresholds> Declare(ConfigField<double>? interval, ConfigField<int[]> statuses)
    {
        var httpFailures = HealthCheckSettings.Count("http_failures");
        var tcpFailures = HealthCheckSettings.Count("tcp_failures");
        var timeouts = HealthCheckSettings.Count("timeouts");
        ConfigStep[] steps = interval is null ? [httpFailures, tcpFailures, timeouts, statuses] : [interval, httpFailures, tcpFailures, timeouts, statuses];
        return new(steps, c => new(interval is null ? 0 : c.Get(interval), c.Get(httpFailures), c.Get(tcpFailures), c.Get(timeouts), c.Get(statuses)));
    }
}
