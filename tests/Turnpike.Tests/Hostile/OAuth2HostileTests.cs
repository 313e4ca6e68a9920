using System.Net;
using System.Text;
using Turnpike.OAuth2;
using Turnpike.Tests.EndToEnd;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>oauth2's endpoints and tokens against hostile clients: control characters, open redirects, huge bodies, forged identity headers, guessed tokens.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class OAuth2HostileTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _proxy = fixture.Edge.Proxy;

    private Task<OAuth2Route> RouteAsync(object config) => OAuth2Route.CreateAsync(fixture.Edge.Admin, _proxy, fixture.Upstream.Url, config);

    [Theory]
    [InlineData("https://evil.example/cb")]
    [InlineData("https://evil.example/cb\r\nLocation: https://evil.example")]
    [InlineData("https://evil.example/\0cb")]
    public async Task An_unregistered_redirect_uri_is_never_redirected_to(string redirect)
    {
        var route = await RouteAsync(new { enable_authorization_code = true, accept_http_if_already_terminated = true, pkce = "none" });
        foreach (var endpoint in new[] { "authorize", "token" })
        {
            var (status, body, response) = await route.PostAsync(_proxy, endpoint, ("response_type", "code"), ("grant_type", "authorization_code"), ("client_id", route.ClientId),
                ("client_secret", route.ClientSecret), ("provision_key", route.ProvisionKey), ("authenticated_userid", "u"), ("redirect_uri", redirect), ("code", "x"));
            Assert.Equal(400, status);
            Assert.False(response.Headers.Contains("Location"));
            if (endpoint == "authorize")
            {
                // The error goes back to the application's own registered URI, every value percent-encoded.
                var back = body["redirect_uri"]!.GetValue<string>();
                Assert.StartsWith(route.RedirectUri + "?", back);
                Assert.Contains("error=invalid_request", back);
                Assert.DoesNotContain("evil", back);
                Assert.DoesNotContain(back, char.IsControl);
            }
            else
            {
                Assert.Equal("invalid_request", body["error"]!.GetValue<string>());
            }
        }

        // A registered URI with something appended is another URI.
        var (prefixed, prefixedBody, _) = await route.PostAsync(_proxy, "authorize", ("response_type", "code"), ("client_id", route.ClientId), ("provision_key", route.ProvisionKey),
            ("authenticated_userid", "u"), ("redirect_uri", route.RedirectUri + ".evil.example"));
        Assert.Equal(400, prefixed);
        Assert.StartsWith(route.RedirectUri + "?", prefixedBody["redirect_uri"]!.GetValue<string>());
    }

    [Fact]
    public async Task Control_characters_in_state_scope_and_authenticated_userid_never_reach_a_header()
    {
        var route = await RouteAsync(new { enable_authorization_code = true, enable_client_credentials = true, accept_http_if_already_terminated = true, pkce = "none", scopes = new[] { "read" } });
        var (status, body, response) = await route.PostAsync(_proxy, "authorize", ("response_type", "code"), ("client_id", route.ClientId), ("provision_key", route.ProvisionKey),
            ("authenticated_userid", "u"), ("state", "s\r\nSet-Cookie: stolen=1\0"));
        Assert.Equal(200, status);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        var redirect = body["redirect_uri"]!.GetValue<string>();
        Assert.Contains("state=s%0D%0ASet-Cookie%3A%20stolen%3D1%00", redirect);

        foreach (var user in new[] { "alice\r\nX-Consumer-ID: admin", "bob\0", "carol\n" })
        {
            var (refused, error, _) = await route.PostAsync(_proxy, "authorize", ("response_type", "code"), ("client_id", route.ClientId), ("provision_key", route.ProvisionKey), ("authenticated_userid", user));
            Assert.Equal(400, refused);
            Assert.Equal("invalid_request", error["error"]!.GetValue<string>()); // refused before the application is looked at, so no redirect
            var (tokenRefused, tokenError, _) = await route.PostAsync(_proxy, "token", ("grant_type", "client_credentials"), ("client_id", route.ClientId), ("client_secret", route.ClientSecret),
                ("provision_key", route.ProvisionKey), ("authenticated_userid", user));
            Assert.Equal((400, "invalid_request"), (tokenRefused, tokenError["error"]!.GetValue<string>()));
        }

        var (badScope, scopeError, _) = await route.PostAsync(_proxy, "token", ("grant_type", "client_credentials"), ("client_id", route.ClientId), ("client_secret", route.ClientSecret), ("scope", "read\0admin"));
        Assert.Equal((400, "invalid_scope"), (badScope, scopeError["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Huge_bodies_on_the_token_endpoint_get_413_and_the_edge_keeps_serving()
    {
        var route = await RouteAsync(new { enable_client_credentials = true, accept_http_if_already_terminated = true });
        var huge = "grant_type=client_credentials&pad=" + new string('a', 8 * 1024 * 1024);
        using (var declared = new HttpRequestMessage(HttpMethod.Post, route.Path + "/oauth2/token") { Content = new StringContent(huge, Encoding.ASCII, "application/x-www-form-urlencoded") })
        {
            declared.Headers.Add("X-Forwarded-Proto", "https");
            using var response = await _proxy.SendAsync(declared);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }

        // Chunked, so no length to refuse up front: read only up to the limit.
        using (var chunked = new HttpRequestMessage(HttpMethod.Post, route.Path + "/oauth2/token") { Content = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes(huge))) })
        {
            chunked.Headers.Add("X-Forwarded-Proto", "https");
            chunked.Headers.TransferEncodingChunked = true;
            chunked.Content.Headers.ContentType = new("application/x-www-form-urlencoded");
            using var response = await _proxy.SendAsync(chunked);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }

        Assert.Equal(200, (await route.GetAsync(_proxy, await route.ClientCredentialsTokenAsync(_proxy))).Status);
    }

    [Fact]
    public async Task Identity_headers_a_client_sends_never_reach_the_upstream()
    {
        var route = await RouteAsync(new { enable_client_credentials = true, accept_http_if_already_terminated = true });
        var token = await route.ClientCredentialsTokenAsync(_proxy);
        var (status, echo, _) = await route.GetAsync(_proxy, token, request =>
        {
            request.Headers.TryAddWithoutValidation("X-Authenticated-Userid", "admin");
            request.Headers.TryAddWithoutValidation("X-Authenticated-Scope", "everything");
            request.Headers.TryAddWithoutValidation("X-Consumer-ID", "00000000-0000-0000-0000-000000000001");
            request.Headers.TryAddWithoutValidation("X_Authenticated_Userid", "admin");
        });
        Assert.Equal(200, status);
        var headers = echo!["headers"]!.AsObject();
        Assert.Equal(route.ConsumerId, headers["x-consumer-id"]!.GetValue<string>());
        Assert.False(headers.ContainsKey("x-authenticated-userid")); // the token has none, so neither does the request
        Assert.False(headers.ContainsKey("x-authenticated-scope"));
        Assert.False(headers.ContainsKey("x_authenticated_userid"));

        // Without a token the forged headers get nowhere either.
        Assert.Equal(401, (await route.GetAsync(_proxy, null, r => r.Headers.TryAddWithoutValidation("X-Consumer-ID", route.ConsumerId))).Status);
    }

    [Fact]
    public async Task Guessed_tokens_are_refused_and_the_real_one_keeps_working()
    {
        var route = await RouteAsync(new { enable_client_credentials = true, accept_http_if_already_terminated = true });
        var token = await route.ClientCredentialsTokenAsync(_proxy);
        var guesses = Enumerable.Range(0, 200).Select(i => i % 2 == 0 ? OAuth2Shards.NewToken() : token[..^1] + (token[^1] == 'a' ? 'b' : 'a')).ToList();
        var statuses = await Task.WhenAll(guesses.Select(async g => (await route.GetAsync(_proxy, g)).Status));
        Assert.All(statuses, s => Assert.Equal(401, s));
        Assert.InRange((await route.GetAsync(_proxy, token + "\0")).Status, 400, 401); // Kestrel refuses the header itself
        Assert.Equal(401, (await route.GetAsync(_proxy, new string('x', 6000))).Status);
        Assert.Equal(200, (await route.GetAsync(_proxy, token)).Status);
    }
}
