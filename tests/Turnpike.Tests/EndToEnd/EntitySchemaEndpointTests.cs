using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary><c>/schemas/{entity}</c> and the validate endpoints on a real dev edge: Kong's shapes, and nothing stored by a validation.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class EntitySchemaEndpointTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;

    [Fact]
    public async Task Routes_schema_lists_its_fields_with_Kongs_defaults()
    {
        var (status, body) = await _admin.GetJsonAsync("/schemas/routes");
        Assert.Equal(200, status);
        var fields = body!["fields"]!.AsArray().Select(f => f!.AsObject().Single()).ToDictionary(f => f.Key, f => f.Value!);
        Assert.Equal("""["http","https"]""", fields["protocols"]["default"]!.ToJsonString());
        Assert.Equal(426, fields["https_redirect_status_code"]["default"]!.GetValue<int>());
        Assert.Equal("foreign", fields["service"]["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Validate_accepts_a_good_body_and_stores_nothing()
    {
        var name = "validate-only-" + Guid.NewGuid().ToString("N")[..8];
        using var response = await _admin.PostAsJsonAsync("/schemas/services/validate", new { name, url = "http://127.0.0.1:9/x" });
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("schema validation successful", (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());

        var (status, _) = await _admin.GetJsonAsync($"/services/{name}");
        Assert.Equal(404, status);
    }

    [Fact]
    public async Task Validate_answers_a_bad_body_with_the_same_400_as_a_write()
    {
        using var validate = await _admin.PostAsync("/schemas/routes/validate", new FormUrlEncodedContent([new("protocols[]", "grpc"), new("methods[]", "GET")]));
        using var write = await _admin.PostAsync("/routes", new FormUrlEncodedContent([new("protocols[]", "grpc"), new("methods[]", "GET")]));
        Assert.Equal(400, (int)validate.StatusCode);
        Assert.Equal(await write.Content.ReadAsStringAsync(), await validate.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Plugin_validate_reads_the_config_with_the_plugins_own_declaration()
    {
        using var response = await _admin.PostAsJsonAsync("/schemas/plugins/validate", new { name = "key-auth", config = new { key_names = Array.Empty<string>() } });
        Assert.Equal(400, (int)response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("length must be at least 1", body!["fields"]!["config"]!["key_names"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_entity_is_404_in_Kongs_shape()
    {
        var (status, body) = await _admin.GetJsonAsync("/schemas/no_such_things");
        Assert.Equal(404, status);
        Assert.Equal("No entity named 'no_such_things'", body!["message"]!.GetValue<string>());

        using var validate = await _admin.PostAsJsonAsync("/schemas/no_such_things/validate", new { });
        Assert.Equal(404, (int)validate.StatusCode);
    }
}
