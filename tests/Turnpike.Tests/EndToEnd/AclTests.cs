using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>acl with key-auth through a real edge, and the <c>/consumers/{c}/acls</c> API.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class AclTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "acl-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A route with key-auth and the given acl config; consumers <c>{name}-gold</c> (group gold) and <c>{name}-plain</c>.</summary>
    private async Task SetUpAsync(object aclConfig, bool withKeyAuth = true)
    {
        Assert.Equal(201, (await _admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url })).Status);
        if (withKeyAuth)
        {
            Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "key-auth" })).Status);
        }

        var (status, body) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "acl", config = aclConfig });
        Assert.True(status == 201, body?.ToJsonString());
        foreach (var who in new[] { "gold", "plain" })
        {
            Assert.Equal(201, (await _admin.PostJsonAsync("/consumers", new { username = $"{_name}-{who}" })).Status);
            Assert.Equal(201, (await _admin.PostJsonAsync($"/consumers/{_name}-{who}/key-auth", new { key = $"{_name}-{who}-key" })).Status);
        }

        Assert.Equal(201, (await _admin.PostFormAsync($"/consumers/{_name}-gold/acls", ("group", "gold"))).Status);
        Assert.Equal(201, (await _admin.PostFormAsync($"/consumers/{_name}-gold/acls", ("group", "staff"))).Status);

        // The route comes last: once the edge routes by it, it has everything above (versions apply in order).
        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/routes", new { name = _name, paths = new[] { $"/{_name}" } })).Status);
    }

    private Task<HttpResponseMessage> AsAsync(string who, Func<HttpResponseMessage, bool> settled) =>
        _proxy.EventuallyAsync($"/{_name}?apikey={_name}-{who}-key", settled);

    [Fact]
    public async Task A_consumer_in_an_allowed_group_passes_and_the_upstream_gets_its_groups()
    {
        await SetUpAsync(new { allow = new[] { "gold" } });
        using var response = await AsAsync("gold", r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gold, staff", (await response.Content.ReadFromJsonAsync<JsonObject>())!["headers"]!["x-consumer-groups"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_consumer_outside_the_allowed_groups_gets_403()
    {
        await SetUpAsync(new { allow = new[] { "gold" } });
        using var response = await AsAsync("plain", r => r.StatusCode == HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("You cannot consume this service", (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_consumer_in_a_denied_group_gets_403_and_others_pass_with_the_groups_header_hidden()
    {
        await SetUpAsync(new { deny = new[] { "staff" }, hide_groups_header = true });
        using (var denied = await AsAsync("gold", r => r.StatusCode == HttpStatusCode.Forbidden))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        }

        using var passed = await AsAsync("plain", r => r.StatusCode == HttpStatusCode.OK);
        Assert.Null((await passed.Content.ReadFromJsonAsync<JsonObject>())!["headers"]!["x-consumer-groups"]);
    }

    [Fact]
    public async Task Without_an_auth_plugin_acl_answers_401()
    {
        await SetUpAsync(new { allow = new[] { "gold" } }, withKeyAuth: false);
        using var response = await _proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.Unauthorized);
        Assert.Equal("Unauthorized", (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Groups_are_addressed_by_name_under_their_consumer_and_removing_one_revokes_access()
    {
        await SetUpAsync(new { allow = new[] { "gold" } });
        var (dup, dupBody) = await _admin.PostJsonAsync($"/consumers/{_name}-gold/acls", new { group = "gold" });
        Assert.Equal(409, dup);
        Assert.Equal("gold", dupBody!["fields"]!["group"]!.GetValue<string>());
        Assert.Equal(201, (await _admin.PostJsonAsync($"/consumers/{_name}-plain/acls", new { group = "gold" })).Status);
        Assert.Equal("gold", (await _admin.GetJsonAsync($"/consumers/{_name}-gold/acls/gold")).Body!["group"]!.GetValue<string>());
        Assert.Equal(400, (await _admin.PostJsonAsync($"/consumers/{_name}-gold/acls", new { })).Status);

        using (await AsAsync("gold", r => r.StatusCode == HttpStatusCode.OK))
        {
        }

        using (var deleted = await _admin.DeleteAsync($"/consumers/{_name}-gold/acls/gold"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var revoked = await AsAsync("gold", r => r.StatusCode == HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Forbidden, revoked.StatusCode);
        using var stillIn = await AsAsync("plain", r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
    }

    [Fact]
    public async Task Acl_config_with_both_or_neither_list_gets_400()
    {
        foreach (var config in new object[] { new { allow = new[] { "a" }, deny = new[] { "b" } }, new { } })
        {
            var (status, body) = await _admin.PostJsonAsync("/plugins", new { name = "acl", instance_name = _name, config });
            Assert.Equal(400, status);
            Assert.Contains("only one of these fields must be non-empty", body!.ToJsonString(), StringComparison.Ordinal);
        }

        Assert.Equal(404, (await _admin.GetJsonAsync($"/plugins/{_name}")).Status);
    }
}
