using System.Security.Cryptography;
using System.Text;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>oauth2 through a real edge: applications on the admin API, every flow at the route's endpoints, tokens on the proxy.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class OAuth2Tests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;

    private Task<OAuth2Route> RouteAsync(object config, string clientType = "confidential") =>
        OAuth2Route.CreateAsync(_admin, _proxy, fixture.Upstream.Url, config, clientType);

    [Fact]
    public async Task Client_credentials_token_lets_the_request_through_with_the_consumer_and_scope_headers()
    {
        var route = await RouteAsync(new { enable_client_credentials = true, scopes = new[] { "email", "profile" }, accept_http_if_already_terminated = true });
        var (status, body, response) = await route.PostAsync(_proxy, "token", ("grant_type", "client_credentials"), ("client_id", route.ClientId), ("client_secret", route.ClientSecret), ("scope", "email"), ("state", "xyz"));
        Assert.Equal(200, status);
        Assert.Equal("bearer", body["token_type"]!.GetValue<string>());
        Assert.Equal(7200, body["expires_in"]!.GetValue<int>());
        Assert.Equal("xyz", body["state"]!.GetValue<string>());
        Assert.Null(body["refresh_token"]); // client credentials get no refresh token, as in Kong
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());

        var (proxied, echo, _) = await route.GetAsync(_proxy, body["access_token"]!.GetValue<string>());
        Assert.Equal(200, proxied);
        var headers = echo!["headers"]!;
        Assert.Equal(route.ConsumerId, headers["x-consumer-id"]!.GetValue<string>());
        Assert.Equal(route.ClientId, headers["x-credential-identifier"]!.GetValue<string>());
        Assert.Equal("email", headers["x-authenticated-scope"]!.GetValue<string>());

        var (wrongSecret, error, wrongResponse) = await route.PostAsync(_proxy, "token", ("grant_type", "client_credentials"), ("client_id", route.ClientId), ("client_secret", "nope"));
        Assert.Equal((400, "invalid_client", "Invalid client authentication"), (wrongSecret, error["error"]!.GetValue<string>(), error["error_description"]!.GetValue<string>()));
        wrongResponse.Dispose();
        var (badScope, scopeError, _) = await route.PostAsync(_proxy, "token", ("grant_type", "client_credentials"), ("client_id", route.ClientId), ("client_secret", route.ClientSecret), ("scope", "admin"));
        Assert.Equal((400, "\"admin\" is an invalid scope"), (badScope, scopeError["error_description"]!.GetValue<string>()));
        var (badGrant, grantError, _) = await route.PostAsync(_proxy, "token", ("grant_type", "password"), ("client_id", route.ClientId), ("client_secret", route.ClientSecret));
        Assert.Equal((400, "unsupported_grant_type"), (badGrant, grantError["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Missing_invalid_and_expired_tokens_get_401_with_kongs_www_authenticate()
    {
        var route = await RouteAsync(new { enable_client_credentials = true, accept_http_if_already_terminated = true });
        var (missing, body, response) = await route.GetAsync(_proxy, null);
        Assert.Equal((401, "invalid_request", "The access token is missing"), (missing, body!["error"]!.GetValue<string>(), body["error_description"]!.GetValue<string>()));
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());

        var (invalid, invalidBody, invalidResponse) = await route.GetAsync(_proxy, "not-a-token");
        Assert.Equal((401, "invalid_token"), (invalid, invalidBody!["error"]!.GetValue<string>()));
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The access token is invalid or has expired\"", invalidResponse.Headers.WwwAuthenticate.ToString());

        // A token an admin made with a creation time long past: expired at once, no clock to wait for.
        var app = (await _admin.GetJsonAsync($"/oauth2/{route.ClientId}")).Body!;
        var service = (await _admin.GetJsonAsync($"/services/{route.Path[1..]}")).Body!;
        var (created, token) = await _admin.PostJsonAsync("/oauth2_tokens", new
        {
            credential = new { id = app["id"]!.GetValue<string>() },
            service = new { id = service["id"]!.GetValue<string>() },
            expires_in = 10,
            created_at = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 100,
        });
        Assert.Equal(201, created);
        var (expired, _, _) = await route.GetAsync(_proxy, token!["access_token"]!.GetValue<string>());
        Assert.Equal(401, expired);

        // The same, changed to never expire (expires_in 0), lets the request through: PATCH reaches the edge's cache.
        var (patched, _) = await _admin.SendJsonAsync(HttpMethod.Patch, $"/oauth2_tokens/{token["id"]!.GetValue<string>()}", new { expires_in = 0 });
        Assert.Equal(200, patched);
        Assert.Equal(200, (await route.GetAsync(_proxy, token["access_token"]!.GetValue<string>())).Status); // this edge forgot it at once
    }

    [Fact]
    public async Task Authorization_code_with_pkce_strict_needs_the_verifier_of_its_challenge()
    {
        var route = await RouteAsync(new { enable_authorization_code = true, pkce = "strict", accept_http_if_already_terminated = true, scopes = new[] { "read" } });
        var verifier = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var challenge = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        // strict: even a confidential client must send a challenge.
        var (noChallenge, refused, _) = await route.PostAsync(_proxy, "authorize", ("response_type", "code"), ("client_id", route.ClientId), ("provision_key", route.ProvisionKey), ("authenticated_userid", "user-1"));
        Assert.Equal(400, noChallenge);
        Assert.Contains("error_description=code_challenge%20is%20required%20for%20confidential%20clients", refused["redirect_uri"]!.GetValue<string>());

        var (status, body, _) = await route.PostAsync(_proxy, "authorize", ("response_type", "code"), ("client_id", route.ClientId), ("provision_key", route.ProvisionKey),
            ("authenticated_userid", "user-1"), ("scope", "read"), ("state", "st"), ("code_challenge", challenge), ("code_challenge_method", "S256"));
        Assert.Equal(200, status);
        var redirect = new Uri(body["redirect_uri"]!.GetValue<string>());
        Assert.StartsWith(route.RedirectUri + "?", redirect.ToString());
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(redirect.Query);
        Assert.Equal("st", query["state"].ToString());
        var code = query["code"].ToString();

        (string, string)[] exchange = [("grant_type", "authorization_code"), ("client_id", route.ClientId), ("client_secret", route.ClientSecret), ("code", code)];
        var (noVerifier, noVerifierBody, _) = await route.PostAsync(_proxy, "token", exchange);
        Assert.Equal((400, "code_verifier is required for PKCE authorization requests"), (noVerifier, noVerifierBody["error_description"]!.GetValue<string>()));
        var (wrong, wrongBody, _) = await route.PostAsync(_proxy, "token", [.. exchange, ("code_verifier", new string('a', 43))]);
        Assert.Equal((400, "invalid_grant"), (wrong, wrongBody["error"]!.GetValue<string>()));

        var (ok, token, _) = await route.PostAsync(_proxy, "token", [.. exchange, ("code_verifier", verifier)]);
        Assert.Equal(200, ok);
        Assert.NotNull(token["refresh_token"]);
        var (again, againBody, _) = await route.PostAsync(_proxy, "token", [.. exchange, ("code_verifier", verifier)]);
        Assert.Equal((400, "Invalid code"), (again, againBody["error_description"]!.GetValue<string>())); // a code is used once

        var (proxied, echo, _) = await route.GetAsync(_proxy, token["access_token"]!.GetValue<string>());
        Assert.Equal(200, proxied);
        Assert.Equal("user-1", echo!["headers"]!["x-authenticated-userid"]!.GetValue<string>());
        Assert.Equal("read", echo["headers"]!["x-authenticated-scope"]!.GetValue<string>());
    }

    [Fact]
    public async Task Password_grant_needs_the_provision_key_and_its_refresh_token_replaces_the_access_token()
    {
        var route = await RouteAsync(new { enable_password_grant = true, accept_http_if_already_terminated = true });
        (string, string)[] basics = [("grant_type", "password"), ("client_id", route.ClientId), ("client_secret", route.ClientSecret)];
        var (badKey, badKeyBody, _) = await route.PostAsync(_proxy, "token", [.. basics, ("provision_key", "wrong"), ("authenticated_userid", "u")]);
        Assert.Equal((400, "invalid_provision_key", "Invalid provision_key"), (badKey, badKeyBody["error"]!.GetValue<string>(), badKeyBody["error_description"]!.GetValue<string>()));
        var (noUser, noUserBody, _) = await route.PostAsync(_proxy, "token", [.. basics, ("provision_key", route.ProvisionKey)]);
        Assert.Equal((400, "invalid_authenticated_userid"), (noUser, noUserBody["error"]!.GetValue<string>()));

        var (status, first, _) = await route.PostAsync(_proxy, "token", [.. basics, ("provision_key", route.ProvisionKey), ("authenticated_userid", "alice")]);
        Assert.Equal(200, status);
        var firstAccess = first["access_token"]!.GetValue<string>();
        Assert.Equal(200, (await route.GetAsync(_proxy, firstAccess)).Status);

        var (refreshed, second, _) = await route.PostAsync(_proxy, "token", ("grant_type", "refresh_token"), ("client_id", route.ClientId), ("client_secret", route.ClientSecret),
            ("refresh_token", first["refresh_token"]!.GetValue<string>()));
        Assert.Equal(200, refreshed);
        Assert.NotEqual(firstAccess, second["access_token"]!.GetValue<string>());
        Assert.NotEqual(first["refresh_token"]!.GetValue<string>(), second["refresh_token"]!.GetValue<string>());
        Assert.Equal(401, (await route.GetAsync(_proxy, firstAccess)).Status); // the refreshed token is gone, on this edge at once
        Assert.Equal(200, (await route.GetAsync(_proxy, second["access_token"]!.GetValue<string>())).Status);
    }

    [Fact]
    public async Task Implicit_grant_puts_the_token_in_the_fragment_and_http_without_the_switch_is_refused()
    {
        var route = await RouteAsync(new { enable_implicit_grant = true, accept_http_if_already_terminated = true, pkce = "none" });
        var (status, body, _) = await route.PostAsync(_proxy, "authorize", ("response_type", "token"), ("client_id", route.ClientId), ("provision_key", route.ProvisionKey), ("authenticated_userid", "bob"), ("state", "s1"));
        Assert.Equal(200, status);
        var redirect = body["redirect_uri"]!.GetValue<string>();
        Assert.StartsWith(route.RedirectUri + "#access_token=", redirect);
        Assert.Contains("&state=s1", redirect);
        Assert.Contains("token_type=bearer", redirect);
        var token = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(redirect[(redirect.IndexOf('#') + 1)..])["access_token"].ToString();
        Assert.Equal(200, (await route.GetAsync(_proxy, token)).Status);

        // Plain HTTP with no X-Forwarded-Proto: Kong's access_denied.
        using var plain = await _proxy.PostAsync(route.Path + "/oauth2/token", new FormUrlEncodedContent([KeyValuePair.Create("grant_type", "client_credentials")]));
        Assert.Equal(400, (int)plain.StatusCode);
        Assert.Contains("You must use HTTPS", await plain.Content.ReadAsStringAsync());
        using var get = await _proxy.GetAsync(route.Path + "/oauth2/token");
        Assert.Equal(405, (int)get.StatusCode);
    }

    [Fact]
    public async Task Applications_are_managed_as_kong_with_its_errors_and_the_plugin_schema_is_served()
    {
        await _admin.CreateAsync("/consumers", new { username = "oa2-admin-consumer" });
        var (bad, error) = await _admin.PostJsonAsync("/consumers/oa2-admin-consumer/oauth2", new { redirect_uris = new[] { "https://a.example/cb#frag" } });
        Assert.Equal(400, bad);
        Assert.Equal("required field missing", error!["fields"]!["name"]!.GetValue<string>());
        Assert.Equal("fragment not allowed in 'https://a.example/cb#frag'", error["fields"]!["redirect_uris"]![0]!.GetValue<string>());

        var (created, app) = await _admin.PostJsonAsync("/consumers/oa2-admin-consumer/oauth2", new { name = "app", hash_secret = true, client_secret = "plain-secret" });
        Assert.Equal(201, created);
        Assert.StartsWith("$pbkdf2-sha512$", app!["client_secret"]!.GetValue<string>());
        Assert.Equal(32, app["client_id"]!.GetValue<string>().Length);
        var clientId = app["client_id"]!.GetValue<string>();
        Assert.Equal(200, (await _admin.GetJsonAsync($"/oauth2/{clientId}")).Status);
        Assert.Contains((await _admin.GetJsonAsync("/oauth2")).Body!["data"]!.AsArray(), a => a!["client_id"]!.GetValue<string>() == clientId);
        var (duplicate, _) = await _admin.PostJsonAsync("/consumers/oa2-admin-consumer/oauth2", new { name = "again", client_id = clientId });
        Assert.Equal(409, duplicate);

        var (noFlow, noFlowError) = await _admin.PostJsonAsync("/plugins", new { name = "oauth2", config = new { } });
        Assert.Equal(400, noFlow);
        Assert.Contains("at least one of these fields must be true", noFlowError!["fields"]!["config"]!["@entity"]![0]!.GetValue<string>());
        var schema = (await _admin.GetJsonAsync("/schemas/plugins/oauth2")).Body!.ToJsonString();
        Assert.Contains("\"provision_key\"", schema);
        Assert.Contains("\"persistent_refresh_token\"", schema);
    }
}
