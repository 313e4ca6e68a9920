using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>
/// jwt through a real edge. Tokens are made by Microsoft.IdentityModel (an independent implementation), so a
/// shared misreading of the JWT specifications cannot make signer and verifier agree by accident.
/// </summary>
[Collection(DevGatewayCollection.Name)]
public sealed class JwtTests(DevGatewayFixture fixture)
{
    private const string Secret = "a shared secret long enough for HS512, which wants sixty-four bytes";

    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "j-" + Guid.NewGuid().ToString("N")[..8];

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>A route with jwt; consumer <c>{name}</c> with the given JWT credential (its key defaults to <c>{name}-key</c>).</summary>
    private async Task<string> ProtectedRouteAsync(object credential, object? config = null)
    {
        Assert.Equal(201, (await _admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url })).Status);
        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "jwt", config = config ?? new { } })).Status);
        Assert.Equal(201, (await _admin.PostJsonAsync("/consumers", new { username = _name })).Status);
        Assert.Equal(201, (await _admin.PostJsonAsync($"/consumers/{_name}/jwt", credential)).Status);
        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/routes", new { name = _name, paths = new[] { $"/{_name}" } })).Status);
        // The route comes last, so once it answers the plugin and credential are there too.
        using var ready = await _proxy.EventuallyAsync($"/{_name}", r => r.StatusCode != HttpStatusCode.NotFound);
        return $"/{_name}";
    }

    private Task<string> HmacRouteAsync(object? config = null, string algorithm = "HS256") =>
        ProtectedRouteAsync(new { key = _name + "-key", secret = Secret, algorithm }, config);

    private static SigningCredentials Hmac(string algorithm, string secret = Secret, string? keyId = null) =>
        new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)) { KeyId = keyId }, algorithm);

    /// <summary>A token with exactly these claims (no default iat/nbf/exp), signed by IdentityModel; unsigned when <paramref name="signing"/> is null.</summary>
    private static string Token(Dictionary<string, object> claims, SigningCredentials? signing) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = signing,
        });

    private async Task<(HttpStatusCode Status, JsonObject? Body)> SendAsync(string path, string? bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        }

        using var response = await _proxy.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonObject>());
    }

    private async Task AssertRejectedAsync(string path, string? bearer, string message)
    {
        var (status, body) = await SendAsync(path, bearer);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(message, body!["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(SecurityAlgorithms.HmacSha256, "HS256")]
    [InlineData(SecurityAlgorithms.HmacSha384, "HS384")]
    [InlineData(SecurityAlgorithms.HmacSha512, "HS512")]
    public async Task Jwt_accepts_an_hmac_token_and_tells_the_upstream_who_sent_it(string signingAlgorithm, string algorithm)
    {
        var path = await HmacRouteAsync(algorithm: algorithm);
        var (status, echo) = await SendAsync(path, Token(new() { ["iss"] = _name + "-key", ["exp"] = Now + 300 }, Hmac(signingAlgorithm)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(_name, echo!["headers"]!["x-consumer-username"]!.GetValue<string>());
        Assert.Equal(_name + "-key", echo["headers"]!["x-credential-identifier"]!.GetValue<string>());
    }

    [Fact]
    public async Task Jwt_accepts_rs256_and_es256_tokens_checked_against_the_credentials_public_key()
    {
        using var rsa = RSA.Create(2048);
        var path = await ProtectedRouteAsync(new { key = _name + "-rsa", algorithm = "RS256", rsa_public_key = rsa.ExportSubjectPublicKeyInfoPem() });
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Equal(201, (await _admin.PostJsonAsync($"/consumers/{_name}/jwt", new { key = _name + "-ec", algorithm = "ES256", rsa_public_key = ecdsa.ExportSubjectPublicKeyInfoPem() })).Status);

        var rsToken = Token(new() { ["iss"] = _name + "-rsa" }, new SigningCredentials(new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(path, rsToken)).Status);

        var esToken = Token(new() { ["iss"] = _name + "-ec" }, new SigningCredentials(new ECDsaSecurityKey(ecdsa), SecurityAlgorithms.EcdsaSha256));
        using var accepted = await _proxy.EventuallyAsync(path + "?jwt=" + esToken, r => r.StatusCode == HttpStatusCode.OK);

        // A token signed by another key pair of the same kind is refused.
        using var otherRsa = RSA.Create(2048);
        var forged = Token(new() { ["iss"] = _name + "-rsa" }, new SigningCredentials(new RsaSecurityKey(otherRsa), SecurityAlgorithms.RsaSha256));
        await AssertRejectedAsync(path, forged, "Invalid signature");
    }

    [Fact]
    public async Task Jwt_refuses_an_unsigned_token_with_alg_none_with_401()
    {
        var path = await HmacRouteAsync();
        var unsigned = Token(new() { ["iss"] = _name + "-key" }, signing: null);
        Assert.Contains("\"none\"", Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(unsigned.Split('.')[0])), StringComparison.Ordinal);
        await AssertRejectedAsync(path, unsigned, "Bad token; invalid alg");
    }

    [Fact]
    public async Task Jwt_refuses_a_token_signed_with_another_secret_or_an_unknown_issuer_with_401()
    {
        var path = await HmacRouteAsync();
        await AssertRejectedAsync(path, Token(new() { ["iss"] = _name + "-key" }, Hmac(SecurityAlgorithms.HmacSha256, Secret + " but not this one")), "Invalid signature");
        await AssertRejectedAsync(path, Token(new() { ["iss"] = "nobody-" + _name }, Hmac(SecurityAlgorithms.HmacSha256)), "No credentials found for given 'iss'");
        await AssertRejectedAsync(path, Token(new() { ["sub"] = "someone" }, Hmac(SecurityAlgorithms.HmacSha256)), "No mandatory 'iss' in claims");
        await AssertRejectedAsync(path, Token(new() { ["iss"] = "" }, Hmac(SecurityAlgorithms.HmacSha256)), "Invalid 'iss' in claims");
    }

    [Theory]
    [InlineData("", "Unauthorized")]
    [InlineData("not-a-token", "Bad token; invalid JSON")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln", "Bad token; invalid JSON")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e30.!!!", "Bad token; invalid signature")]
    public async Task Jwt_rejects_a_missing_or_malformed_token_with_401(string token, string message)
    {
        var path = await HmacRouteAsync();
        await AssertRejectedAsync(path, token.Length == 0 ? null : token, message);
    }

    [Fact]
    public async Task Jwt_with_claims_to_verify_rejects_expired_and_not_yet_valid_tokens_with_the_failing_claims()
    {
        var path = await HmacRouteAsync(new { claims_to_verify = new[] { "exp", "nbf" } });
        var signing = Hmac(SecurityAlgorithms.HmacSha256);

        var (expired, expiredBody) = await SendAsync(path, Token(new() { ["iss"] = _name + "-key", ["exp"] = Now - 10, ["nbf"] = Now - 60 }, signing));
        Assert.Equal(HttpStatusCode.Unauthorized, expired);
        Assert.Equal("""{"exp":"token expired"}""", expiredBody!.ToJsonString());

        var (early, earlyBody) = await SendAsync(path, Token(new() { ["iss"] = _name + "-key", ["exp"] = Now + 600, ["nbf"] = Now + 300 }, signing));
        Assert.Equal(HttpStatusCode.Unauthorized, early);
        Assert.Equal("""{"nbf":"token not valid yet"}""", earlyBody!.ToJsonString());

        var (missing, missingBody) = await SendAsync(path, Token(new() { ["iss"] = _name + "-key" }, signing));
        Assert.Equal(HttpStatusCode.Unauthorized, missing);
        Assert.Equal("must be a number", missingBody!["exp"]!.GetValue<string>());
        Assert.Equal("must be a number", missingBody["nbf"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(path, Token(new() { ["iss"] = _name + "-key", ["exp"] = Now + 600, ["nbf"] = Now - 5 }, signing))).Status);
    }

    [Fact]
    public async Task Jwt_maximum_expiration_rejects_tokens_that_live_too_long_and_needs_exp_verified()
    {
        var (bad, badBody) = await _admin.PostJsonAsync("/plugins", new { name = "jwt", config = new { maximum_expiration = 60 } });
        Assert.Equal(400, bad);
        Assert.Equal("expected to contain: exp", badBody!["fields"]!["config"]!["claims_to_verify"]!.GetValue<string>());

        var path = await HmacRouteAsync(new { claims_to_verify = new[] { "exp" }, maximum_expiration = 60 });
        var signing = Hmac(SecurityAlgorithms.HmacSha256);
        var (status, body) = await SendAsync(path, Token(new() { ["iss"] = _name + "-key", ["exp"] = Now + 3600 }, signing));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("""{"exp":"exceeds maximum allowed expiration"}""", body!.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(path, Token(new() { ["iss"] = _name + "-key", ["exp"] = Now + 30 }, signing))).Status);
    }

    [Fact]
    public async Task Jwt_refuses_a_token_whose_alg_differs_from_the_credentials_even_when_signed_with_the_public_key()
    {
        // The classic key-confusion attack: an HS256 token "signed" with the RS256 credential's public key as secret.
        using var rsa = RSA.Create(2048);
        var publicPem = rsa.ExportSubjectPublicKeyInfoPem();
        var path = await ProtectedRouteAsync(new { key = _name + "-rsa", algorithm = "RS256", rsa_public_key = publicPem });
        var confused = Token(new() { ["iss"] = _name + "-rsa" }, Hmac(SecurityAlgorithms.HmacSha256, publicPem));
        await AssertRejectedAsync(path, confused, "Invalid algorithm");
    }

    [Fact]
    public async Task Jwt_reads_the_token_from_a_cookie_and_the_key_from_a_header_field_when_configured()
    {
        var path = await HmacRouteAsync(new { cookie_names = new[] { "session" }, key_claim_name = "kid", uri_param_names = Array.Empty<string>() });
        var token = Token(new() { ["sub"] = "someone" }, Hmac(SecurityAlgorithms.HmacSha256, keyId: _name + "-key"));
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", "session=" + token);
        using var response = await _proxy.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The query parameter is not looked at once uri_param_names is empty.
        await AssertRejectedAsync(path + "?jwt=" + token, null, "Unauthorized");
    }

    [Fact]
    public async Task Jwt_rejects_the_same_token_parameter_twice_with_401()
    {
        var path = await HmacRouteAsync();
        var token = Token(new() { ["iss"] = _name + "-key" }, Hmac(SecurityAlgorithms.HmacSha256));
        await AssertRejectedAsync($"{path}?jwt={token}&jwt={token}", null, "Multiple tokens provided");
    }

    [Fact]
    public async Task Jwt_credentials_get_a_generated_key_and_secret_and_bad_ones_are_refused_with_400()
    {
        Assert.Equal(201, (await _admin.PostJsonAsync("/consumers", new { username = _name })).Status);
        var (created, credential) = await _admin.PostJsonAsync($"/consumers/{_name}/jwt", new { });
        Assert.Equal(201, created);
        Assert.Equal("HS256", credential!["algorithm"]!.GetValue<string>());
        Assert.Equal(32, credential["key"]!.GetValue<string>().Length);
        Assert.Equal(32, credential["secret"]!.GetValue<string>().Length);

        var (listed, list) = await _admin.GetJsonAsync($"/jwts/{credential["key"]!.GetValue<string>()}");
        Assert.Equal(200, listed);
        Assert.Equal(credential["id"]!.GetValue<string>(), list!["id"]!.GetValue<string>());

        var (noKey, noKeyBody) = await _admin.PostJsonAsync($"/consumers/{_name}/jwt", new { algorithm = "RS256" });
        Assert.Equal(400, noKey);
        Assert.Equal("required field missing", noKeyBody!["fields"]!["rsa_public_key"]!.GetValue<string>());

        var (badKey, badKeyBody) = await _admin.PostJsonAsync($"/consumers/{_name}/jwt", new { algorithm = "RS256", rsa_public_key = "-----BEGIN PUBLIC KEY-----\nnonsense\n-----END PUBLIC KEY-----" });
        Assert.Equal(400, badKey);
        Assert.Equal("invalid key", badKeyBody!["fields"]!["rsa_public_key"]!.GetValue<string>());

        var (none, noneBody) = await _admin.PostJsonAsync($"/consumers/{_name}/jwt", new { algorithm = "none" });
        Assert.Equal(400, none);
        Assert.StartsWith("expected one of: HS256", noneBody!["fields"]!["algorithm"]!.GetValue<string>(), StringComparison.Ordinal);

        var (duplicate, _) = await _admin.PostJsonAsync($"/consumers/{_name}/jwt", new { key = credential["key"]!.GetValue<string>() });
        Assert.Equal(409, duplicate);
        var (page, all) = await _admin.GetJsonAsync($"/consumers/{_name}/jwt");
        Assert.Equal(200, page);
        Assert.Single(all!["data"]!.AsArray());
    }

    [Fact]
    public async Task Deleting_a_jwt_credential_revokes_its_tokens()
    {
        var path = await HmacRouteAsync();
        var token = Token(new() { ["iss"] = _name + "-key" }, Hmac(SecurityAlgorithms.HmacSha256));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(path, token)).Status);

        using var delete = await _admin.DeleteAsync($"/consumers/{_name}/jwt/{_name}-key");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var revoked = await _proxy.EventuallyAsync(path + "?jwt=" + token, r => r.StatusCode == HttpStatusCode.Unauthorized);
        await AssertRejectedAsync(path, token, "No credentials found for given 'iss'");
    }

    [Fact]
    public async Task Jwt_and_key_auth_with_anonymous_accept_either_credential_and_fall_back_to_the_anonymous_consumer()
    {
        Assert.Equal(201, (await _admin.PostJsonAsync("/consumers", new { username = _name + "-anon" })).Status);
        Assert.Equal(201, (await _admin.PostJsonAsync("/consumers", new { username = _name + "-keyholder" })).Status);
        Assert.Equal(201, (await _admin.PostJsonAsync($"/consumers/{_name}-keyholder/key-auth", new { key = _name + "-apikey" })).Status);
        var path = await HmacRouteAsync(new { anonymous = _name + "-anon" });
        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "key-auth", config = new { anonymous = _name + "-anon" } })).Status);

        async Task<string?> ConsumerOfAsync(string? bearer, string? apiKey)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (bearer is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
            }

            if (apiKey is not null)
            {
                request.Headers.Add("apikey", apiKey);
            }

            using var response = await _proxy.SendAsync(request);
            var echo = await response.Content.ReadFromJsonAsync<JsonObject>();
            return echo?["headers"]?["x-consumer-username"]?.GetValue<string>();
        }

        var token = Token(new() { ["iss"] = _name + "-key" }, Hmac(SecurityAlgorithms.HmacSha256));
        using var ready = await _proxy.EventuallyAsync(path, r => r.StatusCode == HttpStatusCode.OK);
        await Poll.UntilAsync(async () => await ConsumerOfAsync(null, _name + "-apikey") == _name + "-keyholder", TimeSpan.FromSeconds(20), "key-auth identifying the key holder", everyMs: 50);
        Assert.Equal(_name, await ConsumerOfAsync(token, null));
        Assert.Equal(_name + "-anon", await ConsumerOfAsync(null, null));
        Assert.Equal(_name + "-anon", await ConsumerOfAsync("not-a-token", "not-a-key"));
    }
}
