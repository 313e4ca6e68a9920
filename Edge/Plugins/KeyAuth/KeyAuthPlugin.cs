using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.KeyAuth;

/// <summary>Kong's key-auth: identifies the consumer by an API key in a header, the query string or the body.</summary>
internal sealed class KeyAuthPlugin : IGatewayPlugin
{
    public string Name => "key-auth";

    public int Priority => 1250;

    public string Version => "1.0.0";

    public JsonObject ReadConfig(FieldReader config)
    {
        var keyNames = config.Strings("key_names", name => TextRules.HeaderName(name) is null ? null : "bad header name")
            ?? ["apikey"];
        if (keyNames.Length == 0)
        {
            config.Error("key_names", "length must be at least 1");
        }

        var result = new JsonObject
        {
            ["key_names"] = new JsonArray([.. keyNames.Select(n => (JsonNode?)n)]),
            ["key_in_header"] = config.Boolean("key_in_header") ?? true,
            ["key_in_query"] = config.Boolean("key_in_query") ?? true,
            ["key_in_body"] = config.Boolean("key_in_body") ?? false,
            ["hide_credentials"] = config.Boolean("hide_credentials") ?? false,
            ["anonymous"] = config.String("anonymous"),
            ["run_on_preflight"] = config.Boolean("run_on_preflight") ?? true,
            ["realm"] = config.String("realm"),
        };
        config.RejectUnknown();
        return result;
    }

    public IPluginHandler CreateHandler(JsonObject config, Guid instanceId) => new KeyAuthHandler(new KeyAuthOptions(
        [.. config["key_names"]!.AsArray().Select(n => n!.GetValue<string>())],
        config["key_in_header"]!.GetValue<bool>(),
        config["key_in_query"]!.GetValue<bool>(),
        config["key_in_body"]!.GetValue<bool>(),
        config["hide_credentials"]!.GetValue<bool>(),
        config["anonymous"]?.GetValue<string>(),
        config["run_on_preflight"]!.GetValue<bool>(),
        config["realm"]?.GetValue<string>() ?? "kong"));
}

/// <summary>One key-auth instance's configuration, read once when the instance is compiled.</summary>
internal sealed record KeyAuthOptions(
    string[] KeyNames, bool InHeader, bool InQuery, bool InBody, bool HideCredentials, string? Anonymous, bool RunOnPreflight, string Realm);
