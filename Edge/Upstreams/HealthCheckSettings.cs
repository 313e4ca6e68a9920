using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Upstreams;

/// <summary>
/// An upstream's <c>healthchecks</c> in Kong's shape: active probes (an HTTP GET of <c>http_path</c> every
/// <c>interval</c> seconds, 0 = off) and passive checks of live traffic, each with thresholds of consecutive
/// successes and failures (0 = off) and the statuses that count as either.
/// </summary>
internal sealed record HealthCheckSettings(
    string ActivePath,
    double ActiveTimeout,
    double HealthyInterval,
    int HealthySuccesses,
    int[] HealthyStatuses,
    double UnhealthyInterval,
    int ActiveHttpFailures,
    int ActiveTcpFailures,
    int ActiveTimeouts,
    int[] ActiveUnhealthyStatuses,
    int PassiveSuccesses,
    int[] PassiveHealthyStatuses,
    int PassiveHttpFailures,
    int PassiveTcpFailures,
    int PassiveTimeouts,
    int[] PassiveUnhealthyStatuses)
{
    private static readonly int[] DefaultHealthy = [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308];

    public bool ActiveOn => HealthyInterval > 0 || UnhealthyInterval > 0;

    public bool PassiveOn => PassiveHttpFailures > 0 || PassiveTcpFailures > 0 || PassiveTimeouts > 0;

    /// <summary>Reads <c>healthchecks</c> (null: Kong's defaults, all off) and returns it with defaults filled in, as stored.</summary>
    public static JsonObject Read(FieldReader reader)
    {
        var root = reader.Object("healthchecks") ?? [];
        var errors = reader.Errors;
        var r = new FieldReader(root, errors, reader.PathOf("healthchecks."));
        var active = new FieldReader(r.Object("active") ?? [], errors, r.PathOf("active."));
        var passive = new FieldReader(r.Object("passive") ?? [], errors, r.PathOf("passive."));
        var activeHealthy = new FieldReader(active.Object("healthy") ?? [], errors, active.PathOf("healthy."));
        var activeUnhealthy = new FieldReader(active.Object("unhealthy") ?? [], errors, active.PathOf("unhealthy."));
        var passiveHealthy = new FieldReader(passive.Object("healthy") ?? [], errors, passive.PathOf("healthy."));
        var passiveUnhealthy = new FieldReader(passive.Object("unhealthy") ?? [], errors, passive.PathOf("unhealthy."));
        if (active.String("type") is { } type && type != "http")
        {
            active.Error("type", "not supported yet: only http");
        }

        var result = new JsonObject
        {
            ["active"] = new JsonObject
            {
                ["type"] = "http",
                ["http_path"] = active.String("http_path") ?? "/",
                ["timeout"] = Seconds(active, "timeout") ?? 1,
                ["healthy"] = new JsonObject
                {
                    ["interval"] = Seconds(activeHealthy, "interval") ?? 0,
                    ["successes"] = activeHealthy.Integer("successes", 0, 255) ?? 0,
                    ["http_statuses"] = Statuses(activeHealthy, [200, 302]),
                },
                ["unhealthy"] = new JsonObject
                {
                    ["interval"] = Seconds(activeUnhealthy, "interval") ?? 0,
                    ["http_failures"] = activeUnhealthy.Integer("http_failures", 0, 255) ?? 0,
                    ["tcp_failures"] = activeUnhealthy.Integer("tcp_failures", 0, 255) ?? 0,
                    ["timeouts"] = activeUnhealthy.Integer("timeouts", 0, 255) ?? 0,
                    ["http_statuses"] = Statuses(activeUnhealthy, [429, 404, 500, 501, 502, 503, 504, 505]),
                },
            },
            ["passive"] = new JsonObject
            {
                ["type"] = "http",
                ["healthy"] = new JsonObject
                {
                    ["successes"] = passiveHealthy.Integer("successes", 0, 255) ?? 0,
                    ["http_statuses"] = Statuses(passiveHealthy, DefaultHealthy),
                },
                ["unhealthy"] = new JsonObject
                {
                    ["http_failures"] = passiveUnhealthy.Integer("http_failures", 0, 255) ?? 0,
                    ["tcp_failures"] = passiveUnhealthy.Integer("tcp_failures", 0, 255) ?? 0,
                    ["timeouts"] = passiveUnhealthy.Integer("timeouts", 0, 255) ?? 0,
                    ["http_statuses"] = Statuses(passiveUnhealthy, [429, 500, 503]),
                },
            },
        };
        passive.String("type");
        foreach (var level in new[] { r, active, passive, activeHealthy, activeUnhealthy, passiveHealthy, passiveUnhealthy })
        {
            level.RejectUnknown();
        }

        return result;
    }

    public static HealthCheckSettings Parse(string json)
    {
        var root = JsonNode.Parse(json)!;
        var active = root["active"]!;
        var passive = root["passive"]!;
        return new HealthCheckSettings(
            active["http_path"]!.GetValue<string>(),
            active["timeout"]!.GetValue<double>(),
            active["healthy"]!["interval"]!.GetValue<double>(),
            active["healthy"]!["successes"]!.GetValue<int>(),
            Ints(active["healthy"]!["http_statuses"]),
            active["unhealthy"]!["interval"]!.GetValue<double>(),
            active["unhealthy"]!["http_failures"]!.GetValue<int>(),
            active["unhealthy"]!["tcp_failures"]!.GetValue<int>(),
            active["unhealthy"]!["timeouts"]!.GetValue<int>(),
            Ints(active["unhealthy"]!["http_statuses"]),
            passive["healthy"]!["successes"]!.GetValue<int>(),
            Ints(passive["healthy"]!["http_statuses"]),
            passive["unhealthy"]!["http_failures"]!.GetValue<int>(),
            passive["unhealthy"]!["tcp_failures"]!.GetValue<int>(),
            passive["unhealthy"]!["timeouts"]!.GetValue<int>(),
            Ints(passive["unhealthy"]!["http_statuses"]));
    }

    private static double? Seconds(FieldReader r, string name)
    {
        var node = r.Raw(name);
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue v && v.TryGetValue<double>(out var seconds) && seconds is >= 0 and <= 65535)
        {
            return seconds;
        }

        r.Error(name, "value should be between 0 and 65535");
        return null;
    }

    private static JsonArray Statuses(FieldReader r, int[] defaults)
    {
        var node = r.Raw("http_statuses");
        if (node is null)
        {
            return new JsonArray([.. defaults.Select(d => (JsonNode?)d)]);
        }

        if (node is JsonArray array && array.All(n => n is JsonValue v && v.TryGetValue<int>(out var s) && s is >= 100 and <= 999))
        {
            return new JsonArray([.. array.Select(n => (JsonNode?)n!.GetValue<int>())]);
        }

        r.Error("http_statuses", "expected an array of HTTP statuses (100 to 999)");
        return [];
    }

    private static int[] Ints(JsonNode? node) => node is JsonArray array ? [.. array.Select(n => n!.GetValue<int>())] : [];
}
