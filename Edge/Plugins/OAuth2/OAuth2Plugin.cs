using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.OAuth2;

/// <summary>
/// Kong's oauth2: the route's <c>/oauth2/token</c> and <c>/oauth2/authorize</c> issue tokens (client credentials,
/// authorization code with PKCE, password, implicit, refresh), and every other request needs a valid access token.
/// Tokens are cluster state (<see cref="OAuth2TokenStore"/>), cached on each edge (<see cref="OAuth2TokenCache"/>).
/// </summary>
internal sealed class OAuth2Plugin(OAuth2TokenStore store, OAuth2TokenCache cache, IOptions<OAuth2Options> settings, TimeProvider time, ILogger<OAuth2Handler> logger)
    : GatewayPlugin<OAuth2PluginOptions>
{
    private static readonly ConfigField<string[]?> Scopes = Field.Strings("scopes");
    private static readonly ConfigField<bool> MandatoryScope = Field.Boolean("mandatory_scope").Default(false);
    private const string ProvisionKeyName = "provision_key";
    private static readonly ConfigField<string?> ProvisionKey = Field.Custom<string>(
        ProvisionKeyName,
        new JsonObject { ["type"] = "string", ["required"] = true, ["unique"] = true, ["auto"] = true },
        (r, _) => r.String(ProvisionKeyName) is { } key
            ? (key.Length > 0 ? JsonValue.Create(key) : Problem(r, ProvisionKeyName, "length must be at least 1"))
            : r.Has(ProvisionKeyName) ? null : JsonValue.Create(Turnpike.OAuth2.OAuth2Shards.NewToken()),
        n => n.GetValue<string>());

    private static readonly ConfigField<double> TokenExpiration = Field.Number("token_expiration", 0, int.MaxValue).Default(7200);
    private static readonly ConfigField<bool> EnableAuthorizationCode = Field.Boolean("enable_authorization_code").Default(false);
    private static readonly ConfigField<bool> EnableImplicitGrant = Field.Boolean("enable_implicit_grant").Default(false);
    private static readonly ConfigField<bool> EnableClientCredentials = Field.Boolean("enable_client_credentials").Default(false);
    private static readonly ConfigField<bool> EnablePasswordGrant = Field.Boolean("enable_password_grant").Default(false);
    private static readonly ConfigField<bool> HideCredentials = Field.Boolean("hide_credentials").Default(false);
    private static readonly ConfigField<bool> AcceptHttpIfAlreadyTerminated = Field.Boolean("accept_http_if_already_terminated").Default(false);
    private static readonly ConfigField<string?> Anonymous = Field.String("anonymous");
    private static readonly ConfigField<bool> GlobalCredentials = Field.Boolean("global_credentials").Default(false);
    private static readonly ConfigField<string> AuthHeaderName = Field.HeaderName("auth_header_name").Default("authorization");
    private static readonly ConfigField<double> RefreshTokenTtl = Field.Number("refresh_token_ttl", 0, 100_000_000).Default(1_209_600);
    private static readonly ConfigField<bool> ReuseRefreshToken = Field.Boolean("reuse_refresh_token").Default(false);
    private static readonly ConfigField<string> Pkce = Field.OneOf("pkce", ["none", "lax", "strict"]).Default("lax");
    private static readonly ConfigField<bool> PersistentRefreshToken = Field.Boolean("persistent_refresh_token").Default(false);
    private static readonly ConfigField<string?> Realm = Field.String("realm");

    private static readonly ConfigSchema<OAuth2PluginOptions> Schema = new(
        [
            Scopes, MandatoryScope, ProvisionKey, TokenExpiration, EnableAuthorizationCode, EnableImplicitGrant, EnableClientCredentials,
            EnablePasswordGrant, HideCredentials, AcceptHttpIfAlreadyTerminated, Anonymous, GlobalCredentials, AuthHeaderName, RefreshTokenTtl,
            ReuseRefreshToken, Pkce, PersistentRefreshToken, Realm,
            ConfigCheck.Entity(
                (c, _) => c.Get(EnableAuthorizationCode) || c.Get(EnableImplicitGrant) || c.Get(EnableClientCredentials) || c.Get(EnablePasswordGrant)
                    ? null
                    : "at least one of these fields must be true: " + string.Join(", ", EnableAuthorizationCode.Name, EnableImplicitGrant.Name, EnableClientCredentials.Name, EnablePasswordGrant.Name)),
            new ConfigCheck(
                (c, r) =>
                {
                    if (c.Get(MandatoryScope) && c.Get(Scopes) is null)
                    {
                        r.Error(Scopes.Name, "required field missing");
                        r.Error("@entity", $"failed conditional validation given value of field 'config.{MandatoryScope.Name}'");
                    }
                },
                new JsonObject { ["conditional"] = new JsonObject { ["if_field"] = MandatoryScope.Name, ["if_match"] = new JsonObject { ["eq"] = true }, ["then_field"] = Scopes.Name, ["then_match"] = new JsonObject { ["required"] = true } } }),
        ],
        c => new(
            c.Get(Scopes),
            c.Get(MandatoryScope),
            c.Get(ProvisionKey)!,
            (int)c.Get(TokenExpiration),
            c.Get(EnableAuthorizationCode),
            c.Get(EnableImplicitGrant),
            c.Get(EnableClientCredentials),
            c.Get(EnablePasswordGrant),
            c.Get(HideCredentials),
            c.Get(AcceptHttpIfAlreadyTerminated),
            c.Get(Anonymous),
            c.Get(GlobalCredentials),
            c.Get(AuthHeaderName),
            (long)c.Get(RefreshTokenTtl),
            c.Get(ReuseRefreshToken),
            c.Get(Pkce),
            c.Get(PersistentRefreshToken),
            c.Get(Realm)));

    public override string Name => "oauth2";

    public override int Priority => 1400;

    public override ConfigSchema<OAuth2PluginOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(OAuth2PluginOptions options, Guid instanceId) =>
        new OAuth2Handler(options, instanceId, store, cache, settings.Value, time, logger);

    private static JsonNode? Problem(FieldReader reader, string field, string message)
    {
        reader.Error(field, message);
        return null;
    }
}

/// <summary>One oauth2 instance's configuration.</summary>
internal sealed record OAuth2PluginOptions(
    string[]? Scopes,
    bool MandatoryScope,
    string ProvisionKey,
    int TokenExpiration,
    bool EnableAuthorizationCode,
    bool EnableImplicitGrant,
    bool EnableClientCredentials,
    bool EnablePasswordGrant,
    bool HideCredentials,
    bool AcceptHttpIfAlreadyTerminated,
    string? Anonymous,
    bool GlobalCredentials,
    string AuthHeaderName,
    long RefreshTokenTtl,
    bool ReuseRefreshToken,
    string Pkce,
    bool PersistentRefreshToken,
    string? Realm);
