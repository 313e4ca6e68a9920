using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary><c>GET /schemas/plugins/{name}</c> on a real dev edge: each plugin's declaration in Kong's schema JSON.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class PluginSchemaEndpointTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;

    private static JsonObject ConfigField(JsonNode schema, string name)
    {
        var config = schema["fields"]!.AsArray().Select(f => f!.AsObject()).Single(f => f.ContainsKey("config"))["config"]!;
        Assert.Equal("record", config["type"]!.GetValue<string>());
        return config["fields"]!.AsArray().Select(f => f!.AsObject()).Single(f => f.ContainsKey(name))[name]!.AsObject();
    }

    [Fact]
    public async Task Key_auth_schema_is_in_Kongs_shape_with_defaults()
    {
        var (status, body) = await _admin.GetJsonAsync("/schemas/plugins/key-auth");
        Assert.Equal(200, status);
        var keyNames = ConfigField(body!, "key_names");
        Assert.Equal("array", keyNames["type"]!.GetValue<string>());
        Assert.Equal("string", keyNames["elements"]!["type"]!.GetValue<string>());
        Assert.Equal("""["apikey"]""", keyNames["default"]!.ToJsonString());
        Assert.True(keyNames["required"]!.GetValue<bool>());
        Assert.False(ConfigField(body!, "key_in_body")["default"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Entity_checks_sit_at_the_top_level_over_config_paths()
    {
        var (status, body) = await _admin.GetJsonAsync("/schemas/plugins/ip-restriction");
        Assert.Equal(200, status);
        Assert.Equal("""[{"at_least_one_of":["config.allow","config.deny"]}]""", body!["entity_checks"]!.ToJsonString());
    }

    [Fact]
    public async Task Every_enabled_plugin_has_a_schema()
    {
        var (_, enabled) = await _admin.GetJsonAsync("/plugins/enabled");
        foreach (var name in enabled!["enabled_plugins"]!.AsArray().Select(n => n!.GetValue<string>()))
        {
            var (status, body) = await _admin.GetJsonAsync($"/schemas/plugins/{name}");
            Assert.True(status == 200, name);
            Assert.NotEmpty(body!["fields"]![0]!["config"]!["fields"]!.AsArray());
        }
    }

    [Fact]
    public async Task An_unknown_plugin_is_404()
    {
        var (status, body) = await _admin.GetJsonAsync("/schemas/plugins/no-such-plugin");
        Assert.Equal(404, status);
        Assert.Equal("No plugin named 'no-such-plugin'", body!["message"]!.GetValue<string>());
    }
}
