using System.Net;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>cors through a real edge: preflights answered at the edge, allow headers on proxied responses.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class CorsTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "cors-" + Guid.NewGuid().ToString("N")[..8];

    private async Task CorsRouteAsync(object config)
    {
        Assert.Equal(201, (await _admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url })).Status);
        var (status, body) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "cors", config });
        Assert.True(status == 201, body?.ToJsonString());
        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/routes", new { name = _name, paths = new[] { $"/{_name}" } })).Status);
        using var _ = await _proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.OK);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string origin, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, $"/{_name}");
        request.Headers.Add("Origin", origin);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return await _proxy.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    [Fact]
    public async Task A_preflight_is_answered_at_the_edge_with_the_allowed_origin_methods_and_headers()
    {
        await CorsRouteAsync(new { origins = new[] { "https://app.example.com" }, methods = new[] { "GET", "POST" }, max_age = 600, credentials = true });
        using var response = await SendAsync(HttpMethod.Options, "https://app.example.com", ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "X-Token"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("https://app.example.com", Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("GET,POST", Header(response, "Access-Control-Allow-Methods"));
        Assert.Equal("X-Token", Header(response, "Access-Control-Allow-Headers"));
        Assert.Equal("600", Header(response, "Access-Control-Max-Age"));
        Assert.Equal("true", Header(response, "Access-Control-Allow-Credentials"));
        Assert.Null(Header(response, "Via")); // answered by the edge, not proxied
    }

    [Fact]
    public async Task A_proxied_response_carries_the_origin_when_it_matches_and_not_otherwise()
    {
        await CorsRouteAsync(new { origins = new[] { @"https://.*\.example\.org" }, exposed_headers = new[] { "X-Total" } });
        using var allowed = await SendAsync(HttpMethod.Get, "https://shop.example.org");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("https://shop.example.org", Header(allowed, "Access-Control-Allow-Origin"));
        Assert.Equal("X-Total", Header(allowed, "Access-Control-Expose-Headers"));
        Assert.Contains("Origin", Header(allowed, "Vary")!, StringComparison.Ordinal);

        using var other = await SendAsync(HttpMethod.Get, "https://evil.example.net");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Null(Header(other, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Without_origins_every_origin_is_allowed_with_a_star()
    {
        await CorsRouteAsync(new { });
        using var response = await SendAsync(HttpMethod.Get, "https://anywhere.test");
        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Preflight_continue_sends_the_preflight_to_the_upstream()
    {
        await CorsRouteAsync(new { preflight_continue = true });
        using var response = await SendAsync(HttpMethod.Options, "https://anywhere.test", ("Access-Control-Request-Method", "GET"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(Header(response, "Via"));
    }

    [Fact]
    public async Task An_invalid_origin_pattern_or_method_gets_400()
    {
        var (status, body) = await _admin.PostJsonAsync("/plugins", new { name = "cors", instance_name = _name, config = new { origins = new[] { "https://(unclosed" }, methods = new[] { "FETCH" } } });
        Assert.Equal(400, status);
        Assert.Equal("'https://(unclosed' is not a valid regex", body!["fields"]!["config"]!["origins"]![0]!.GetValue<string>());
        Assert.StartsWith("expected one of:", body["fields"]!["config"]!["methods"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(404, (await _admin.GetJsonAsync($"/plugins/{_name}")).Status);
    }
}
