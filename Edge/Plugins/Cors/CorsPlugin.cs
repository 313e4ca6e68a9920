using System.Text.RegularExpressions;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.Cors;

/// <summary>Kong's cors: answers preflight requests and adds the CORS response headers for allowed origins.</summary>
internal sealed class CorsPlugin : GatewayPlugin<CorsOptions>
{
    private static readonly string[] AllMethods = ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"];

    private static readonly ConfigField<string[]?> Origins = Field.Strings("origins", OriginProblem);
    private static readonly ConfigField<string[]> Methods = Field.Strings("methods", oneOf: AllMethods).Default(AllMethods);
    private static readonly ConfigField<string[]?> Headers = Field.Strings("headers", TextRules.HeaderName);
    private static readonly ConfigField<string[]?> ExposedHeaders = Field.Strings("exposed_headers", TextRules.HeaderName);
    private static readonly ConfigField<bool> Credentials = Field.Boolean("credentials").Default(false);
    private static readonly ConfigField<int?> MaxAge = Field.Integer("max_age", 0, int.MaxValue);
    private static readonly ConfigField<bool> PreflightContinue = Field.Boolean("preflight_continue").Default(false);
    private static readonly ConfigField<bool> PrivateNetwork = Field.Boolean("private_network").Default(false);

    private static readonly ConfigSchema<CorsOptions> Schema = new(
        [Origins, Methods, Headers, ExposedHeaders, Credentials, MaxAge, PreflightContinue, PrivateNetwork],
        c => new(
            c.Get(Origins),
            c.Get(Methods),
            c.Get(Headers),
            c.Get(ExposedHeaders),
            c.Get(Credentials),
            c.Get(MaxAge),
            c.Get(PreflightContinue),
            c.Get(PrivateNetwork)));

    public override string Name => "cors";

    public override int Priority => 2000;

    public override ConfigSchema<CorsOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(CorsOptions options, Guid instanceId) => new CorsHandler(options);

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
}

/// <summary>One cors instance's configuration.</summary>
internal sealed record CorsOptions(
    string[]? Origins, string[] Methods, string[]? Headers, string[]? ExposedHeaders, bool Credentials, int? MaxAge, bool PreflightContinue, bool PrivateNetwork);
