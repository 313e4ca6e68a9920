using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>basic-auth through a real edge: credentials API (passwords hashed) and what each request gets.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class BasicAuthTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "b-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A route with basic-auth; consumer <c>{name}</c> with username <c>{name}-user</c> and password <c>open sesame</c>.</summary>
    private async Task<string> ProtectedRouteAsync(object? config = null)
    {
        Assert.Equal(201, (await _admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url })).Status);
        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "basic-auth", config = config ?? new { } })).Status);
        Assert.Equal(201, (await _admin.PostJsonAsync("/consumers", new { username = _name })).Status);
        Assert.Equal(201, (await _admin.PostFormAsync($"/consumers/{_name}/basic-auth", ("username", _name + "-user"), ("password", "open sesame"))).Status);
        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/routes", new { name = _name, paths = new[] { $"/{_name}" } })).Status);
        using var ready = await _proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.Unauthorized);
        return $"/{_name}";
    }

    private async Task<(HttpStatusCode Status, JsonObject? Body, HttpResponseMessage Response)> SendAsync(string path, string? authorization, string header = "Authorization")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation(header, authorization);
        }

        var response = await _proxy.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonObject>(), response);
    }

    private static string Basic(string user, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    [Fact]
    public async Task Basic_auth_rejects_a_request_without_credentials_with_401_and_a_challenge()
    {
        var path = await ProtectedRouteAsync();
        var (status, body, response) = await SendAsync(path, null);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Unauthorized", body!["message"]!.GetValue<string>());
        Assert.Equal("Basic realm=\"service\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [InlineData("wrong password")]
    [InlineData("")]
    public async Task Basic_auth_rejects_a_wrong_password_with_401(string password)
    {
        var path = await ProtectedRouteAsync();
        var (status, body, _) = await SendAsync(path, Basic(_name + "-user", password));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Invalid authentication credentials", body!["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("Basic not-base64!")]
    [InlineData("Bearer abc")]
    [InlineData("Basic Zm9v")]
    public async Task Basic_auth_rejects_a_malformed_authorization_header_with_401(string header)
    {
        var path = await ProtectedRouteAsync();
        var (status, body, _) = await SendAsync(path, header);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Invalid authentication credentials", body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_right_password_passes_in_either_header_and_hide_credentials_keeps_it_from_the_upstream()
    {
        var path = await ProtectedRouteAsync(new { hide_credentials = true });
        var (status, echo, _) = await SendAsync(path, Basic(_name + "-user", "open sesame"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(_name, echo!["headers"]!["x-consumer-username"]!.GetValue<string>());
        Assert.Equal(_name + "-user", echo["headers"]!["x-credential-identifier"]!.GetValue<string>()); // Kong names a basic-auth credential by its username
        Assert.Null(echo["headers"]!["authorization"]);

        var (proxyStatus, _, _) = await SendAsync(path, Basic(_name + "-user", "open sesame"), "Proxy-Authorization");
        Assert.Equal(HttpStatusCode.OK, proxyStatus);
    }

    [Fact]
    public async Task Passwords_are_stored_hashed_and_usernames_are_unique()
    {
        await ProtectedRouteAsync();
        var (_, credential) = await _admin.GetJsonAsync($"/basic-auths/{_name}-user");
        var stored = credential!["password"]!.GetValue<string>();
        Assert.StartsWith("sha256$", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("open sesame", credential.ToJsonString(), StringComparison.Ordinal);

        var (dup, dupBody) = await _admin.PostJsonAsync($"/consumers/{_name}/basic-auth", new { username = _name + "-user", password = "x" });
        Assert.Equal(409, dup);
        Assert.Equal(_name + "-user", dupBody!["fields"]!["username"]!.GetValue<string>());
        var (missing, missingBody) = await _admin.PostJsonAsync($"/consumers/{_name}/basic-auth", new { username = _name + "-2" });
        Assert.Equal(400, missing);
        Assert.Equal("required field missing", missingBody!["fields"]!["password"]!.GetValue<string>());

        // A patch that leaves the password alone keeps it working (the stored hash is not hashed again).
        Assert.Equal(200, (await _admin.SendJsonAsync(HttpMethod.Patch, $"/consumers/{_name}/basic-auth/{_name}-user", new { tags = new[] { "patched" } })).Status);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{_name}");
        request.Headers.Authorization = AuthenticationHeaderValue.Parse(Basic(_name + "-user", "open sesame"));
        using var response = await _proxy.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
