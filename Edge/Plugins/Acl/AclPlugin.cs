using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.Acl;

/// <summary>Kong's acl: lets consumers through by the groups they belong to (an allow or a deny list).</summary>
internal sealed class AclPlugin : IGatewayPlugin
{
    public string Name => "acl";

    public int Priority => 950;

    public string Version => "1.0.0";

    public JsonObject ReadConfig(FieldReader config)
    {
        var allow = config.Strings("allow");
        var deny = config.Strings("deny");
        var hide = config.Boolean("hide_groups_header") ?? false;
        var alwaysAuthenticated = config.Boolean("always_use_authenticated_groups") ?? false;
        config.RejectUnknown();
        if ((allow is { Length: > 0 }) == (deny is { Length: > 0 }))
        {
            config.Error("@entity", "only one of these fields must be non-empty: 'config.allow', 'config.deny'");
        }

        return new JsonObject
        {
            ["allow"] = allow is null ? null : new JsonArray([.. allow.Select(a => (JsonNode?)a)]),
            ["deny"] = deny is null ? null : new JsonArray([.. deny.Select(d => (JsonNode?)d)]),
            ["hide_groups_header"] = hide,
            ["always_use_authenticated_groups"] = alwaysAuthenticated,
        };
    }

    public IPluginHandler CreateHandler(JsonObject config, Guid instanceId)
    {
        var allow = config["allow"] is JsonArray { Count: > 0 } a ? a.Select(g => g!.GetValue<string>()).ToHashSet(StringComparer.Ordinal) : null;
        var deny = config["deny"] is JsonArray { Count: > 0 } d ? d.Select(g => g!.GetValue<string>()).ToHashSet(StringComparer.Ordinal) : null;
        return new AclHandler(allow, deny, config["hide_groups_header"]!.GetValue<bool>());
    }
}
