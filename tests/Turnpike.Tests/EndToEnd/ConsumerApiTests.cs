using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>Kong's <c>/consumers</c> endpoints and consumer-scoped plugin instances, through a real edge.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class ConsumerApiTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly string _name = "user-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Consumer_lifecycle_follows_Kong_statuses()
    {
        var (created, consumer) = await _admin.PostFormAsync("/consumers", ("username", _name), ("custom_id", _name + "-crm"), ("tags[]", "gold"));
        Assert.Equal(201, created);
        var id = consumer!["id"]!.GetValue<string>();
        Assert.Equal((_name, _name + "-crm", """["gold"]"""), (consumer["username"]!.GetValue<string>(), consumer["custom_id"]!.GetValue<string>(), consumer["tags"]!.ToJsonString()));

        Assert.Equal(id, (await _admin.GetJsonAsync($"/consumers/{_name}")).Body!["id"]!.GetValue<string>());
        Assert.Equal(_name, (await _admin.GetJsonAsync($"/consumers/{id}")).Body!["username"]!.GetValue<string>());
        var (_, byCustomId) = await _admin.GetJsonAsync($"/consumers?custom_id={_name}-crm");
        Assert.Equal(id, Assert.Single(byCustomId!["data"]!.AsArray())!["id"]!.GetValue<string>());

        var (patched, patchedBody) = await _admin.SendJsonAsync(HttpMethod.Patch, $"/consumers/{_name}", new { custom_id = _name + "-new" });
        Assert.Equal(200, patched);
        Assert.Equal((_name, _name + "-new"), (patchedBody!["username"]!.GetValue<string>(), patchedBody["custom_id"]!.GetValue<string>()));

        using var deleted = await _admin.DeleteAsync($"/consumers/{_name}");
        Assert.Equal(204, (int)deleted.StatusCode);
        Assert.Equal(404, (await _admin.GetJsonAsync($"/consumers/{id}")).Status);
    }

    [Fact]
    public async Task Duplicate_username_or_custom_id_gets_409_and_a_consumer_without_either_gets_400()
    {
        Assert.Equal(201, (await _admin.PostJsonAsync("/consumers", new { username = _name, custom_id = _name + "-c" })).Status);

        var (dupName, dupNameBody) = await _admin.PostJsonAsync("/consumers", new { username = _name });
        Assert.Equal(409, dupName);
        Assert.Equal(_name, dupNameBody!["fields"]!["username"]!.GetValue<string>());

        var (dupCustom, dupCustomBody) = await _admin.PostJsonAsync("/consumers", new { username = _name + "-2", custom_id = _name + "-c" });
        Assert.Equal(409, dupCustom);
        Assert.Equal(_name + "-c", dupCustomBody!["fields"]!["custom_id"]!.GetValue<string>());

        var (empty, emptyBody) = await _admin.PostJsonAsync("/consumers", new { tags = new[] { "x" } });
        Assert.Equal(400, empty);
        Assert.Equal("at least one of these fields must be non-empty: 'custom_id', 'username'", emptyBody!["fields"]!["@entity"]![0]!.GetValue<string>());

        var (unknown, unknownBody) = await _admin.PostJsonAsync("/consumers", new { username = _name + "-3", email = "a@b" });
        Assert.Equal(400, unknown);
        Assert.Equal("unknown field", unknownBody!["fields"]!["email"]!.GetValue<string>());
        Assert.Equal(404, (await _admin.GetJsonAsync($"/consumers/{_name}-3")).Status);
    }

    [Fact]
    public async Task Consumer_plugins_are_listed_under_the_consumer_and_go_with_it()
    {
        Assert.Equal(201, (await _admin.PostJsonAsync("/consumers", new { username = _name })).Status);
        var (created, plugin) = await _admin.PostJsonAsync($"/consumers/{_name}/plugins", new { name = "correlation-id" });
        Assert.Equal(201, created);
        var pluginId = plugin!["id"]!.GetValue<string>();
        Assert.NotNull(plugin["consumer"]!["id"]);

        var (_, list) = await _admin.GetJsonAsync($"/consumers/{_name}/plugins");
        Assert.Equal(pluginId, Assert.Single(list!["data"]!.AsArray())!["id"]!.GetValue<string>());
        var (dup, _) = await _admin.PostJsonAsync("/plugins", new { name = "correlation-id", consumer = new { name = _name } });
        Assert.Equal(409, dup);

        using var deleted = await _admin.DeleteAsync($"/consumers/{_name}");
        Assert.Equal(204, (int)deleted.StatusCode);
        Assert.Equal(404, (await _admin.GetJsonAsync($"/plugins/{pluginId}")).Status);
    }

    [Fact]
    public async Task A_plugin_naming_a_consumer_that_does_not_exist_gets_400_and_nothing_is_stored()
    {
        var (status, body) = await _admin.PostJsonAsync("/plugins", new { name = "correlation-id", instance_name = _name, consumer = new { name = _name } });
        Assert.Equal(400, status);
        Assert.Equal(4, body!["code"]!.GetValue<int>());
        Assert.Equal(404, (await _admin.GetJsonAsync($"/plugins/{_name}")).Status);
        Assert.Equal(404, (await _admin.GetJsonAsync($"/consumers/{_name}/plugins")).Status);
    }
}
