using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.IpRestriction;

/// <summary>Kong's ip-restriction: allow or deny clients by address or CIDR block, IPv4 and IPv6.</summary>
internal sealed class IpRestrictionPlugin : IGatewayPlugin
{
    public string Name => "ip-restriction";

    public int Priority => 990;

    public string Version => "1.0.0";

    public JsonObject ReadConfig(FieldReader config)
    {
        var allow = config.Strings("allow", text => IpRange.Parse(text).Error);
        var deny = config.Strings("deny", text => IpRange.Parse(text).Error);
        var status = config.Integer("status", 100, 599);
        var message = config.String("message");
        config.RejectUnknown();
        if (config.Raw("allow") is not JsonArray { Count: > 0 } && config.Raw("deny") is not JsonArray { Count: > 0 })
        {
            config.Error("@entity", "at least one of these fields must be non-empty: 'config.allow', 'config.deny'");
        }

        return new JsonObject
        {
            ["allow"] = allow is null ? null : new JsonArray([.. allow.Select(a => (JsonNode?)a)]),
            ["deny"] = deny is null ? null : new JsonArray([.. deny.Select(d => (JsonNode?)d)]),
            ["status"] = status,
            ["message"] = message,
        };
    }

    public IPluginHandler CreateHandler(JsonObject config, Guid instanceId) => new IpRestrictionHandler(
        Ranges(config["allow"]),
        Ranges(config["deny"]),
        config["status"]?.GetValue<int>() ?? 403,
        config["message"]?.GetValue<string>() ?? "Your IP address is not allowed");

    private static IpRange[]? Ranges(JsonNode? list) => list is JsonArray array ? [.. array.Select(a => IpRange.Parse(a!.GetValue<string>()).Range!)] : null;
}
