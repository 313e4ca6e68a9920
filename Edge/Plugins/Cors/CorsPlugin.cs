using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.Cors;

/// <summary>Kong's cors: answers preflight requests and adds the CORS response headers for allowed origins.</summary>
internal sealed class CorsPlugin : IGatewayPlugin
{
    private static readonly string[] AllMethods = ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"];

    public string Name => "cors";

    public int Priority => 2000;

    public string Version => "1.0.0";

    public JsonObject ReadConfig(FieldReader config)
    {
        var origins = config.Strings("origins", OriginProblem);
        var methods = config.Strings("methods", m => AllMethods.Contains(m) ? null : "expected one of: " + string.Join(", ", AllMethods)) ?? AllMethods;
        var headers = config.Strings("headers", TextRules.HeaderName);
        var exposed = config.Strings("exposed_headers", TextRules.HeaderName);
        var result = new JsonObject
        {
            ["origins"] = Array(origins),
            ["methods"] = Array(methods),
            ["headers"] = Array(headers),
            ["exposed_headers"] = Array(exposed),
            ["credentials"] = config.Boolean("credentials") ?? false,
            ["max_age"] = config.Integer("max_age", 0, int.MaxValue),
            ["preflight_continue"] = config.Boolean("preflight_continue") ?? false,
            ["private_network"] = config.Boolean("private_network") ?? false,
        };
        config.RejectUnknown();
        return result;
    }

    public IPluginHandler CreateHandler(JsonObject config, Guid instanceId) => new CorsHandler(new CorsOptions(
        Strings(config["origins"]),
        Strings(config["methods"])!,
        Strings(config["headers"]),
        Strings(config["exposed_headers"]),
        config["credentials"]!.GetValue<bool>(),
        config["max_age"]?.GetValue<int>(),
        config["preflight_continue"]!.GetValue<bool>(),
        config["private_network"]!.GetValue<bool>()));

    /// <summary>An origin is <c>*</c>, an exact origin, or a regular expression matched against the whole Origin header.</summary>
    private static string? OriginProblem(string origin)
    {
        if (origin == "*")
        {
            return null;
        }

        try
        {
            _ = new Regex(origin, RegexOptions.None);
        }
        catch (ArgumentException)
        {
            return $"'{origin}' is not a valid regex";
        }

        return Routing.RouteRegex.Problem(origin, RegexOptions.IgnoreCase);
    }

    private static JsonArray? Array(string[]? values) => values is null ? null : new JsonArray([.. values.Select(v => (JsonNode?)v)]);

    private static string[]? Strings(JsonNode? node) => node is JsonArray array ? [.. array.Select(v => v!.GetValue<string>())] : null;
}

/// <summary>One cors instance's configuration.</summary>
internal sealed record CorsOptions(
    string[]? Origins, string[] Methods, string[]? Headers, string[]? ExposedHeaders, bool Credentials, int? MaxAge, bool PreflightContinue, bool PrivateNetwork);
