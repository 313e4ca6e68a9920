using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>ip-restriction through a real edge; the test client connects from 127.0.0.1.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class IpRestrictionTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly string _name = "ip-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<HttpResponseMessage> RestrictedAsync(object config, Func<HttpResponseMessage, bool> settled)
    {
        // The route comes last: once the edge routes by it, it has the plugin too (versions apply in order).
        Assert.Equal(201, (await _admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url })).Status);
        var (status, body) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "ip-restriction", config });
        Assert.True(status == 201, body?.ToJsonString());
        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/routes", new { name = _name, paths = new[] { $"/{_name}" } })).Status);
        return await fixture.Edge.Proxy.EventuallyAsync($"/{_name}", settled);
    }

    [Fact]
    public async Task A_denied_client_gets_403_with_Kongs_message()
    {
        using var response = await RestrictedAsync(new { deny = new[] { "127.0.0.0/8" } }, r => r.StatusCode == HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Your IP address is not allowed", (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_client_outside_the_allow_list_gets_the_configured_status_and_message()
    {
        using var response = await RestrictedAsync(new { allow = new[] { "10.0.0.0/8", "2001:db8::/32" }, status = 451, message = "not from here" }, r => r.StatusCode == (HttpStatusCode)451);
        Assert.Equal((HttpStatusCode)451, response.StatusCode);
        Assert.Equal("not from here", (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_allowed_client_passes_unless_also_denied()
    {
        using var response = await RestrictedAsync(new { allow = new[] { "127.0.0.1" }, deny = new[] { "::1" } }, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Invalid_cidrs_and_an_empty_config_get_400_and_nothing_is_stored()
    {
        var (status, body) = await _admin.PostJsonAsync("/plugins", new { name = "ip-restriction", instance_name = _name, config = new { allow = new[] { "10.0.0.0/33" }, deny = new[] { "::1", "nope" } } });
        Assert.Equal(400, status);
        Assert.Equal("invalid ip or cidr range: '10.0.0.0/33'", body!["fields"]!["config"]!["allow"]![0]!.GetValue<string>());
        Assert.Equal("invalid ip or cidr range: 'nope'", body["fields"]!["config"]!["deny"]![1]!.GetValue<string>());

        var (emptyStatus, emptyBody) = await _admin.PostJsonAsync("/plugins", new { name = "ip-restriction", instance_name = _name, config = new { } });
        Assert.Equal(400, emptyStatus);
        Assert.Contains("at least one of these fields must be non-empty", emptyBody!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(404, (await _admin.GetJsonAsync($"/plugins/{_name}")).Status);
    }
}
