using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.Jwt;

/// <summary>Kong's jwt: identifies the consumer by a signed JSON Web Token that names one of its JWT credentials.</summary>
internal sealed class JwtPlugin(TimeProvider time) : IGatewayPlugin
{
    private static readonly string[] VerifiableClaims = ["exp", "nbf"];

    public string Name => "jwt";

    public int Priority => 1450;

    public string Version => "1.0.0";

    public JsonObject ReadConfig(FieldReader config)
    {
        var claims = config.Strings("claims_to_verify", c => VerifiableClaims.Contains(c) ? null : "expected one of: exp, nbf");
        var maximumExpiration = config.Integer("maximum_expiration", 0, 31_536_000) ?? 0;
        if (maximumExpiration > 0 && claims?.Contains("exp") != true)
        {
            config.Error("claims_to_verify", "expected to contain: exp");
        }

        var result = new JsonObject
        {
            ["uri_param_names"] = Array(config.Strings("uri_param_names") ?? ["jwt"]),
            ["cookie_names"] = Array(config.Strings("cookie_names") ?? []),
            ["header_names"] = Array(config.Strings("header_names", TextRules.HeaderName) ?? ["authorization"]),
            ["key_claim_name"] = config.String("key_claim_name") ?? "iss",
            ["secret_is_base64"] = config.Boolean("secret_is_base64") ?? false,
            ["claims_to_verify"] = claims is null ? null : Array([.. claims.Distinct()]),
            ["anonymous"] = config.String("anonymous"),
            ["run_on_preflight"] = config.Boolean("run_on_preflight") ?? true,
            ["maximum_expiration"] = maximumExpiration,
        };
        config.RejectUnknown();
        return result;
    }

    public IPluginHandler CreateHandler(JsonObject config, Guid instanceId) => new JwtHandler(
        new JwtOptions(
            Strings(config["uri_param_names"]),
            Strings(config["cookie_names"]),
            Strings(config["header_names"]),
            config["key_claim_name"]!.GetValue<string>(),
            config["secret_is_base64"]!.GetValue<bool>(),
            Strings(config["claims_to_verify"]),
            config["anonymous"]?.GetValue<string>(),
            config["run_on_preflight"]!.GetValue<bool>(),
            config["maximum_expiration"]!.GetValue<int>()),
        time);

    private static JsonArray Array(string[] values) => new([.. values.Select(v => (JsonNode?)v)]);

    private static string[] Strings(JsonNode? node) => node is JsonArray array ? [.. array.Select(n => n!.GetValue<string>())] : [];
}

/// <summary>One jwt instance's configuration, read once when the instance is compiled.</summary>
internal sealed record JwtOptions(
    string[] UriParamNames,
    string[] CookieNames,
    string[] HeaderNames,
    string KeyClaimName,
    bool SecretIsBase64,
    string[] ClaimsToVerify,
    string? Anonymous,
    bool RunOnPreflight,
    int MaximumExpiration);
