using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>key-auth through a real edge: credentials API, what each bad request gets, what the upstream sees.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class KeyAuthTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "k-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A route with key-auth (extra config given), a consumer with key <c>{name}-key</c>; returns once the edge enforces it.</summary>
    private async Task<string> ProtectedRouteAsync(object? config = null)
    {
        // The route comes last: once the edge routes by it, it has the plugin and the key too (versions apply in order).
        Assert.Equal(201, (await _admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url })).Status);
        var (status, body) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "key-auth", config = config ?? new { } });
        Assert.True(status == 201, body?.ToJsonString());
        Assert.Equal(201, (await _admin.PostJsonAsync("/consumers", new { username = _name, custom_id = _name + "-crm" })).Status);
        Assert.Equal(201, (await _admin.PostJsonAsync($"/consumers/{_name}/key-auth", new { key = _name + "-key" })).Status);
        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/routes", new { name = _name, paths = new[] { $"/{_name}" } })).Status);
        using var ready = await _proxy.EventuallyAsync($"/{_name}?apikey={_name}-key", r => r.StatusCode == HttpStatusCode.OK);
        Assert.True(ready.StatusCode == HttpStatusCode.OK, $"the edge did not serve the protected route: {(int)ready.StatusCode} {await ready.Content.ReadAsStringAsync()}");
        return $"/{_name}";
    }

    private async Task<(HttpStatusCode Status, JsonObject? Body, HttpResponseMessage Response)> SendAsync(HttpRequestMessage request)
    {
        var response = await _proxy.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonObject>(), response);
    }

    [Fact]
    public async Task Key_auth_rejects_a_request_without_a_key_with_401()
    {
        var path = await ProtectedRouteAsync();
        var (status, body, response) = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("No API key found in request", body!["message"]!.GetValue<string>());
        Assert.Equal("Key realm=\"kong\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Key_auth_rejects_unknown_key_with_401()
    {
        var path = await ProtectedRouteAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("apikey", "not-a-key");
        var (status, body, _) = await SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Invalid authentication credentials", body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Key_auth_rejects_a_key_given_twice_with_401()
    {
        var path = await ProtectedRouteAsync();
        var (status, body, _) = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{path}?apikey={_name}-key&apikey=other"));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Duplicate API key found", body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_valid_key_in_a_header_passes_and_the_upstream_learns_the_consumer()
    {
        var path = await ProtectedRouteAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("apikey", _name + "-key");
        request.Headers.Add("X-Anonymous-Consumer", "spoofed");
        var (status, echo, _) = await SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, status);
        var headers = echo!["headers"]!;
        var (_, consumer) = await _admin.GetJsonAsync($"/consumers/{_name}");
        var (_, key) = await _admin.GetJsonAsync($"/key-auths/{_name}-key");
        Assert.Equal(consumer!["id"]!.GetValue<string>(), headers["x-consumer-id"]!.GetValue<string>());
        Assert.Equal(_name, headers["x-consumer-username"]!.GetValue<string>());
        Assert.Equal(_name + "-crm", headers["x-consumer-custom-id"]!.GetValue<string>());
        Assert.Equal(key!["id"]!.GetValue<string>(), headers["x-credential-identifier"]!.GetValue<string>());
        Assert.Null(headers["x-anonymous-consumer"]);
        Assert.Equal(_name + "-key", headers["apikey"]!.GetValue<string>());
    }

    [Fact]
    public async Task Hide_credentials_keeps_the_key_from_the_upstream_in_header_query_and_body()
    {
        var path = await ProtectedRouteAsync(new { hide_credentials = true, key_in_body = true });
        var inHeader = new HttpRequestMessage(HttpMethod.Get, path + "?x=1");
        inHeader.Headers.Add("apikey", _name + "-key");
        var (_, headerEcho, _) = await SendAsync(inHeader);
        Assert.Null(headerEcho!["headers"]!["apikey"]);

        var (_, queryEcho, _) = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{path}?x=1&apikey={_name}-key"));
        Assert.Equal("?x=1", queryEcho!["query"]!.GetValue<string>());

        var inBody = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent([KeyValuePair.Create("apikey", _name + "-key"), KeyValuePair.Create("order", "17")]),
        };
        var (bodyStatus, bodyEcho, _) = await SendAsync(inBody);
        Assert.Equal(HttpStatusCode.OK, bodyStatus);
        Assert.Equal("order=17".Length, bodyEcho!["body_bytes"]!.GetValue<long>()); // the form without apikey=...
    }

    [Fact]
    public async Task Without_a_key_the_anonymous_consumer_is_used_when_configured()
    {
        Assert.Equal(201, (await _admin.PostJsonAsync("/consumers", new { username = _name + "-anon" })).Status);
        var path = await ProtectedRouteAsync(new { anonymous = _name + "-anon" });
        var (status, echo, _) = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("true", echo!["headers"]!["x-anonymous-consumer"]!.GetValue<string>());
        Assert.Equal(_name + "-anon", echo["headers"]!["x-consumer-username"]!.GetValue<string>());
        Assert.Null(echo["headers"]!["x-credential-identifier"]);
    }

    [Fact]
    public async Task Credentials_api_generates_keys_refuses_duplicates_and_deleting_a_consumer_revokes_its_keys()
    {
        var path = await ProtectedRouteAsync();
        var (created, generated) = await _admin.PostJsonAsync($"/consumers/{_name}/key-auth", new { });
        Assert.Equal(201, created);
        var key = generated!["key"]!.GetValue<string>();
        Assert.Matches("^[0-9a-f]{32}$", key);

        var (dup, dupBody) = await _admin.PostFormAsync($"/consumers/{_name}/key-auth", ("key", key));
        Assert.Equal(409, dup);
        Assert.Equal(key, dupBody!["fields"]!["key"]!.GetValue<string>());
        var (_, list) = await _admin.GetJsonAsync($"/consumers/{_name}/key-auth");
        Assert.Equal(2, list!["data"]!.AsArray().Count);
        Assert.Equal(400, (await _admin.PostJsonAsync("/key-auths", new { key = "orphan" })).Status);
        Assert.Equal(404, (await _admin.GetJsonAsync("/consumers/nobody-here/key-auth")).Status);

        using var deleted = await _admin.DeleteAsync($"/consumers/{_name}");
        Assert.Equal(204, (int)deleted.StatusCode);
        Assert.Equal(404, (await _admin.GetJsonAsync($"/key-auths/{key}")).Status);
        using var revoked = await _proxy.EventuallyAsync($"{path}?apikey={key}", r => r.StatusCode == HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
    }

    [Fact]
    public async Task Key_auth_config_with_a_bad_key_name_gets_400_naming_the_field()
    {
        var (status, body) = await _admin.PostJsonAsync("/plugins", new { name = "key-auth", instance_name = _name, config = new { key_names = new[] { "bad name" }, bogus = 1 } });
        Assert.Equal(400, status);
        Assert.Equal("bad header name", body!["fields"]!["config"]!["key_names"]![0]!.GetValue<string>());
        Assert.Equal("unknown field", body["fields"]!["config"]!["bogus"]!.GetValue<string>());
        Assert.Equal(404, (await _admin.GetJsonAsync($"/plugins/{_name}")).Status);
    }

    [Fact]
    public async Task A_plugin_scoped_to_a_consumer_applies_to_that_consumers_requests_and_outranks_the_routes_own()
    {
        var path = await ProtectedRouteAsync();
        Assert.Equal(201, (await _admin.PostJsonAsync("/consumers", new { username = _name + "-other" })).Status);
        Assert.Equal(201, (await _admin.PostJsonAsync($"/consumers/{_name}-other/key-auth", new { key = _name + "-other-key" })).Status);

        // The consumer's own instance: only its requests are refused.
        Assert.Equal(201, (await _admin.PostJsonAsync($"/consumers/{_name}/plugins", new { name = "request-termination", config = new { status_code = 403, message = "consumer blocked" } })).Status);
        using (var blocked = await _proxy.EventuallyAsync($"{path}?apikey={_name}-key", r => r.StatusCode == HttpStatusCode.Forbidden))
        {
            Assert.Equal("consumer blocked", (await blocked.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
        }

        using (var other = await _proxy.GetAsync($"{path}?apikey={_name}-other-key"))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        // A route-wide instance applies to everyone else; the consumer's instance stays the more specific one.
        Assert.Equal(201, (await _admin.PostJsonAsync($"/routes/{_name}/plugins", new { name = "request-termination", config = new { status_code = 418, message = "everyone" } })).Status);
        using (var everyone = await _proxy.EventuallyAsync($"{path}?apikey={_name}-other-key", r => r.StatusCode == (HttpStatusCode)418))
        {
            Assert.Equal((HttpStatusCode)418, everyone.StatusCode);
        }

        using var stillBlocked = await _proxy.GetAsync($"{path}?apikey={_name}-key");
        Assert.Equal(HttpStatusCode.Forbidden, stillBlocked.StatusCode);
    }
}
