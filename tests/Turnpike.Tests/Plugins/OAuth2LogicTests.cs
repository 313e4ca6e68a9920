using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Plugins.OAuth2;
using Turnpike.Edge.Schema;
using Turnpike.OAuth2;
using Xunit;

namespace Turnpike.Tests.Plugins;

/// <summary>oauth2's rules without a request: scopes, PKCE, redirects, credentials, secrets, shards, and its schemas.</summary>
[Fast]
public sealed class OAuth2LogicTests
{
    private static readonly OAuth2Plugin Plugin = new(null!, null!, Options.Create(new OAuth2Options()), TimeProvider.System, NullLogger<OAuth2Handler>.Instance);

    private static (JsonObject Stored, FieldErrors Errors) Read(string json)
    {
        var errors = new FieldErrors();
        var stored = Plugin.ReadConfig(new FieldReader(JsonNode.Parse(json)!.AsObject(), errors, "config."));
        return (stored, errors);
    }

    [Fact]
    public void Scopes_must_all_be_configured_and_mandatory_scope_needs_one()
    {
        string[] configured = ["email", "profile"];
        Assert.Equal(("email profile", null), OAuth2Rules.Scope(OAuth2Parameters.FromQuery("scope=email%20%20profile"), configured, false));
        Assert.Equal(new OAuth2Error("invalid_scope", "\"admin\" is an invalid scope"), OAuth2Rules.Scope(OAuth2Parameters.FromQuery("scope=email+admin"), configured, false).Error);
        Assert.Equal(new OAuth2Error("invalid_scope", "You must specify a scope"), OAuth2Rules.Scope(OAuth2Parameters.FromQuery(""), configured, true).Error);
        Assert.Equal(new OAuth2Error("invalid_scope", "scope must be a string"), OAuth2Rules.Scope(OAuth2Parameters.FromQuery("scope=a&scope=b"), configured, false).Error);
        Assert.Equal((null, null), OAuth2Rules.Scope(OAuth2Parameters.FromQuery(""), configured, false));
        // CR, LF and NUL are not scope names: refused, never stored.
        Assert.Equal("invalid_scope", OAuth2Rules.Scope(OAuth2Parameters.FromQuery("scope=email%00x"), configured, false).Error!.Error);
        Assert.Equal(("email", null), OAuth2Rules.Scope(OAuth2Parameters.FromQuery("scope=email%0D%0A"), configured, false));
    }

    [Fact]
    public void Pkce_verifier_matches_the_rfc_7636_example_challenge_only()
    {
        // RFC 7636, appendix B.
        const string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        const string challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        Assert.Null(OAuth2Rules.PkceVerifier(verifier, challenge));
        Assert.Equal(new OAuth2Error("invalid_grant", "Invalid code"), OAuth2Rules.PkceVerifier(verifier.Replace('d', 'e'), challenge));
        Assert.Equal("code_verifier is required for PKCE authorization requests", OAuth2Rules.PkceVerifier(null, challenge)!.Description);
        Assert.Equal("code_verifier must be between 43 and 128 characters", OAuth2Rules.PkceVerifier("short", challenge)!.Description);
        Assert.Equal(new OAuth2Error("invalid_grant", "Invalid code"), OAuth2Rules.PkceVerifier(verifier, null));
    }

    [Fact]
    public void Code_challenge_accepts_S256_only_as_kong()
    {
        Assert.Equal(("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "S256", null), OAuth2Rules.CodeChallenge(OAuth2Parameters.FromQuery("code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")));
        Assert.Equal("S256", OAuth2Rules.CodeChallenge(OAuth2Parameters.FromQuery("code_challenge=abc&code_challenge_method=s256")).Method);
        Assert.Equal("code_challenge_method is not supported, must be S256", OAuth2Rules.CodeChallenge(OAuth2Parameters.FromQuery("code_challenge=abc&code_challenge_method=plain")).Error);
        Assert.Equal("code_challenge is required when code_method is present", OAuth2Rules.CodeChallenge(OAuth2Parameters.FromQuery("code_challenge_method=S256")).Error);
        Assert.True(OAuth2Rules.RequiresPkce("lax", "public", false));
        Assert.False(OAuth2Rules.RequiresPkce("none", "public", false));
        Assert.False(OAuth2Rules.RequiresPkce("lax", "confidential", false));
        Assert.True(OAuth2Rules.RequiresPkce("strict", "confidential", false));
        Assert.True(OAuth2Rules.RequiresPkce("none", "confidential", true));
    }

    [Fact]
    public void Redirect_keeps_the_registered_uri_and_encodes_every_answer_value()
    {
        var redirect = OAuth2Rules.RedirectWith("https://app.example/cb?x=1#frag", [KeyValuePair.Create("state", "a\r\nSet-Cookie: x"), KeyValuePair.Create("code", "c0de")], inFragment: false);
        Assert.Equal("https://app.example/cb?code=c0de&state=a%0D%0ASet-Cookie%3A%20x&x=1#frag", redirect);
        Assert.DoesNotContain('\n', redirect);
        Assert.Equal("https://app.example/cb#access_token=t&state=s", OAuth2Rules.RedirectWith("https://app.example/cb", [KeyValuePair.Create("access_token", "t"), KeyValuePair.Create("state", "s")], inFragment: true));
    }

    [Fact]
    public void Credentials_and_bearer_tokens_are_read_as_kong_reads_them()
    {
        Assert.Equal(("id", "se:cret"), OAuth2Rules.BasicCredentials("Basic " + Convert.ToBase64String("id:se:cret"u8.ToArray())));
        Assert.Equal(("id", null), OAuth2Rules.BasicCredentials("basic " + Convert.ToBase64String("id"u8.ToArray())));
        Assert.Null(OAuth2Rules.BasicCredentials("Bearer abc"));
        Assert.Null(OAuth2Rules.BasicCredentials("Basic !!!"));
        Assert.Equal("abc", OAuth2Rules.BearerToken("Bearer abc"));
        Assert.Equal("abc", OAuth2Rules.BearerToken("token abc"));
        Assert.Equal("abc", OAuth2Rules.BearerToken("abc"));
        Assert.Equal("Bearer realm=\"r\", error=\"invalid_token\", error_description=\"d\"", OAuth2Rules.WwwAuthenticate("r", "invalid_token", "d"));
        Assert.Equal("Bearer", OAuth2Rules.WwwAuthenticate(null));
    }

    [Fact]
    public void Hashed_secrets_verify_only_the_secret_they_were_made_from()
    {
        var hash = OAuth2Secret.Hash("s3cret");
        Assert.StartsWith("$pbkdf2-sha512$i=10000,l=32$", hash);
        Assert.True(OAuth2Secret.IsHash(hash));
        Assert.True(OAuth2Secret.Verify("s3cret", hash));
        Assert.False(OAuth2Secret.Verify("s3creT", hash));
        Assert.False(OAuth2Secret.Verify(null, hash));
        Assert.False(OAuth2Secret.IsHash("$pbkdf2-sha512$i=999999999,l=32$AAAA$AAAAAAAAAAAAAAAAAAAAAA")); // a cost that would pin a CPU is no hash
    }

    [Fact]
    public void Tokens_are_drawn_into_the_shard_asked_for()
    {
        for (var shard = 0; shard < OAuth2Shards.Count; shard++)
        {
            var token = OAuth2Shards.NewToken(shard);
            Assert.Equal(32, token.Length);
            Assert.True(token.All(char.IsAsciiLetterOrDigit));
            Assert.Equal(shard, OAuth2Shards.Of(token));
        }

        Assert.NotEqual(OAuth2Shards.NewToken(), OAuth2Shards.NewToken());
    }

    [Fact]
    public void Plugin_config_has_kongs_defaults_and_a_generated_provision_key()
    {
        var (stored, errors) = Read("""{"enable_client_credentials": true}""");
        Assert.Equal(0, errors.Count);
        Assert.Equal(7200, stored["token_expiration"]!.GetValue<double>());
        Assert.Equal(1209600, stored["refresh_token_ttl"]!.GetValue<double>());
        Assert.Equal("lax", stored["pkce"]!.GetValue<string>());
        Assert.Equal("authorization", stored["auth_header_name"]!.GetValue<string>());
        Assert.Equal(32, stored["provision_key"]!.GetValue<string>().Length);
        Assert.False(stored["global_credentials"]!.GetValue<bool>());
    }

    [Fact]
    public void Plugin_config_without_a_flow_or_with_mandatory_scope_and_no_scopes_is_refused()
    {
        var (_, none) = Read("{}");
        Assert.Equal("at least one of these fields must be true: enable_authorization_code, enable_implicit_grant, enable_client_credentials, enable_password_grant", none.All["config.@entity"]);
        var (_, scopes) = Read("""{"enable_password_grant": true, "mandatory_scope": true}""");
        Assert.Equal("required field missing", scopes.All["config.scopes"]);
        var (_, pkce) = Read("""{"enable_password_grant": true, "pkce": "plain"}""");
        Assert.True(pkce.All.ContainsKey("config.pkce"));
    }

    [Theory]
    [InlineData("not a uri", "cannot parse 'not a uri'")]
    [InlineData("/relative", "cannot parse '/relative'")]
    [InlineData("https://app.example/cb#x", "fragment not allowed in 'https://app.example/cb#x'")]
    public void Redirect_uris_must_be_absolute_without_fragment(string uri, string problem)
    {
        Assert.Equal(problem, OAuth2CredentialSchema.RedirectUri(uri));
        Assert.Null(OAuth2CredentialSchema.RedirectUri("https://app.example/cb?x=1"));
    }

    [Fact]
    public void Oauth2_credentials_are_read_from_and_exported_to_the_declarative_format_with_the_secret_hashed_once()
    {
        var config = new Turnpike.Edge.Admin.Declarative.DeclarativeConfig(Turnpike.Tests.Infrastructure.TestSchemas.Create(new Turnpike.Edge.Plugins.PluginRegistry([])));
        var (write, error) = config.Read("""
            _format_version: "3.0"
            consumers:
            - username: alice
              oauth2_credentials:
              - name: alice-app
                client_id: alice-client
                client_secret: alice-secret
                hash_secret: true
                redirect_uris: ["https://alice.example/cb"]
            """);
        Assert.Null(error?.Message);
        var credential = Assert.Single(write!.Upserts.OfType<Turnpike.RouteTable.OAuth2CredentialEntity>());
        Assert.True(OAuth2Secret.Verify("alice-secret", credential.ClientSecret));
        var exported = config.Export(write.Upserts);
        var json = exported["consumers"]![0]!["oauth2_credentials"]![0]!;
        Assert.Equal("alice-client", json["client_id"]!.GetValue<string>());
        var again = Assert.Single(config.Read(exported).Write!.Upserts.OfType<Turnpike.RouteTable.OAuth2CredentialEntity>());
        Assert.Equal(credential.ClientSecret, again.ClientSecret); // a hash given back is kept, not hashed again
    }
}
