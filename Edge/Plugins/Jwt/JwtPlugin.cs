using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.Jwt;

/// <summary>Kong's jwt: identifies the consumer by a signed JSON Web Token that names one of its JWT credentials.</summary>
internal sealed class JwtPlugin(TimeProvider time) : GatewayPlugin<JwtOptions>
{
    private static readonly ConfigField<string[]> UriParamNames = Field.Strings("uri_param_names").Default("jwt");
    private static readonly ConfigField<string[]> CookieNames = Field.Strings("cookie_names").Default();
    private static readonly ConfigField<string[]> HeaderNames = Field.Strings("header_names", TextRules.HeaderName).Default("authorization");
    private static readonly ConfigField<string> KeyClaimName = Field.String("key_claim_name").Default("iss");
    private static readonly ConfigField<bool> SecretIsBase64 = Field.Boolean("secret_is_base64").Default(false);
    private static readonly ConfigField<string[]?> ClaimsToVerify = Field.Strings("claims_to_verify", oneOf: ["exp", "nbf"], set: true);
    private static readonly ConfigField<string?> Anonymous = Field.String("anonymous");
    private static readonly ConfigField<bool> RunOnPreflight = Field.Boolean("run_on_preflight").Default(true);
    private static readonly ConfigField<int> MaximumExpiration = Field.Integer("maximum_expiration", 0, 31_536_000).Default(0);

    private static readonly ConfigSchema<JwtOptions> Schema = new(
        [
            UriParamNames, CookieNames, HeaderNames, KeyClaimName, SecretIsBase64, ClaimsToVerify, Anonymous, RunOnPreflight, MaximumExpiration,
            // Kong: a maximum lifetime is only checked against an exp that is itself verified.
            new ConfigCheck((c, r) =>
            {
                if (c.Get(MaximumExpiration) > 0 && c.Get(ClaimsToVerify)?.Contains("exp") != true)
                {
                    r.Error(ClaimsToVerify.Name, "expected to contain: exp");
                }
            }),
        ],
        c => new(
            c.Get(UriParamNames),
            c.Get(CookieNames),
            c.Get(HeaderNames),
            c.Get(KeyClaimName),
            c.Get(SecretIsBase64),
            c.Get(ClaimsToVerify) ?? [],
            c.Get(Anonymous),
            c.Get(RunOnPreflight),
            c.Get(MaximumExpiration)));

    public override string Name => "jwt";

    public override int Priority => 1450;

    public override ConfigSchema<JwtOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(JwtOptions options, Guid instanceId) => new JwtHandler(options, time);
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
