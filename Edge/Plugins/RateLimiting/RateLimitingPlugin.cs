using System.Text.Json.Nodes;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.RateLimiting;
using Turnpike.Edge.Schema;
using Turnpike.RateLimiting;

namespace Turnpike.Edge.Plugins.RateLimiting;

/// <summary>
/// Kong's rate-limiting, with <c>policy: cluster</c> (the default here) exact across edges by leasing permits
/// from counter grains, and <c>local</c> counting per edge as Kong does.
/// </summary>
internal sealed class RateLimitingPlugin(ClusterQuota cluster, LocalQuota local, RateLimitMetrics metrics) : IGatewayPlugin
{
    private static readonly string[] LimitBy = ["consumer", "credential", "ip", "service", "header", "path"];
    private static readonly string[] Policies = ["cluster", "local"];

    public string Name => "rate-limiting";

    public int Priority => 910;

    public string Version => "1.0.0";

    public JsonObject ReadConfig(FieldReader config)
    {
        var result = ReadLimits(config, "API rate limit exceeded", LimitBy);
        config.RejectUnknown();
        return result;
    }

    public IPluginHandler CreateHandler(JsonObject config, Guid instanceId) =>
        new RateLimitingHandler(new RateLimitGate(Options(config, instanceId), "RateLimit", ProxyErrors.WriteAsync, cluster, local, metrics));

    /// <summary>The fields every rate-limiting kind of plugin has: the limits per window, what to count by, and what to answer.</summary>
    public static JsonObject ReadLimits(FieldReader config, string defaultMessage, string[] limitByChoices)
    {
        var result = new JsonObject();
        var limits = new List<WindowLimit>();
        foreach (var window in Enum.GetValues<RateLimitWindow>())
        {
            var name = WindowName(window);
            var limit = config.Integer(name, 0, int.MaxValue);
            if (limit is { } value)
            {
                if (value == 0)
                {
                    config.Error(name, "value must be greater than 0");
                }

                limits.Add(new WindowLimit(window, value));
            }

            result[name] = limit;
        }

        if (limits.Count == 0 && config.Errors.Count == 0)
        {
            config.Error("@entity", "at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year'");
        }

        // Kong: a longer window may not allow fewer than a shorter one.
        for (var i = 1; i < limits.Count; i++)
        {
            if (limits[i].Limit < limits[i - 1].Limit)
            {
                config.Error("@entity", $"The limit for {WindowName(limits[i].Window)}({limits[i].Limit}.0) cannot be lower than the limit for {WindowName(limits[i - 1].Window)}({limits[i - 1].Limit}.0)");
            }
        }

        var limitBy = config.OneOf("limit_by", limitByChoices) ?? "consumer";
        var headerName = limitByChoices.Contains("header") ? config.HeaderName("header_name") : null;
        var path = limitByChoices.Contains("path") ? config.String("path") : null;
        if (limitBy == "header" && string.IsNullOrEmpty(headerName))
        {
            config.Error("header_name", "required field missing");
        }

        if (limitBy == "path" && string.IsNullOrEmpty(path))
        {
            config.Error("path", "required field missing");
        }

        result["limit_by"] = limitBy;
        result["header_name"] = headerName;
        result["path"] = path;
        result["policy"] = config.OneOf("policy", Policies) ?? "cluster";
        result["fault_tolerant"] = config.Boolean("fault_tolerant") ?? true;
        result["hide_client_headers"] = config.Boolean("hide_client_headers") ?? false;
        result["error_code"] = config.Integer("error_code", 0, 999) ?? 429;
        result["error_message"] = config.String("error_message") ?? defaultMessage;
        return result;
    }

    /// <summary>The options of one instance, from the configuration <see cref="ReadLimits"/> returned.</summary>
    public static RateLimitingOptions Options(JsonObject config, Guid instanceId) => new(
        instanceId,
        [.. Enum.GetValues<RateLimitWindow>()
            .Where(w => config[WindowName(w)] is not null)
            .Select(w => new WindowLimit(w, config[WindowName(w)]!.GetValue<long>()))],
        config["limit_by"]!.GetValue<string>(),
        config["header_name"]?.GetValue<string>(),
        config["path"]?.GetValue<string>(),
        config["policy"]!.GetValue<string>() == "cluster",
        config["fault_tolerant"]!.GetValue<bool>(),
        config["hide_client_headers"]!.GetValue<bool>(),
        config["error_code"]!.GetValue<int>(),
        config["error_message"]!.GetValue<string>());

    public static string WindowName(RateLimitWindow window) => window.ToString().ToLowerInvariant();
}

/// <summary>One rate-limiting instance's configuration, read once when the instance is compiled.</summary>
internal sealed record RateLimitingOptions(
    Guid InstanceId,
    WindowLimit[] Limits,
    string LimitBy,
    string? HeaderName,
    string? Path,
    bool Cluster,
    bool FaultTolerant,
    bool HideClientHeaders,
    int ErrorCode,
    string ErrorMessage);
