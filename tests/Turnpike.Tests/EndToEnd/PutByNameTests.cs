using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>
/// PUT addressed by name (Kong's upsert by endpoint key): the name in the path is the entity's name whether the PUT
/// creates or replaces it, so the same PUT twice leaves the same entity, still found by that name.
/// </summary>
[Collection(DevGatewayCollection.Name)]
public sealed class PutByNameTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly string _name = "put" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A form-encoded PUT, as <c>curl -X PUT --data</c> sends it.</summary>
    private async Task<(int Status, JsonNode? Body)> PutFormAsync(string path, params (string Key, string Value)[] fields)
    {
        using var content = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Key, f.Value)));
        using var response = await _admin.PutAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>PUTs twice and checks both answers and a GET by name agree: same id, the name kept.</summary>
    private async Task<JsonNode> PutTwiceAsync(string collection, string key, string nameField, params (string Key, string Value)[] fields)
    {
        var (first, created) = await PutFormAsync($"{collection}/{key}", fields);
        Assert.True(first == 200, created?.ToJsonString());
        var (second, replaced) = await PutFormAsync($"{collection}/{key}", fields);
        Assert.True(second == 200, replaced?.ToJsonString());
        var (found, got) = await _admin.GetJsonAsync($"{collection}/{key}");
        Assert.True(found == 200, got?.ToJsonString());

        var id = created!["id"]!.GetValue<string>();
        Assert.Equal((id, key), (replaced!["id"]!.GetValue<string>(), replaced[nameField]?.GetValue<string>()));
        Assert.Equal((id, key), (got!["id"]!.GetValue<string>(), got[nameField]?.GetValue<string>()));
        return replaced;
    }

    [Fact]
    public async Task Put_twice_by_name_replaces_a_service_and_keeps_its_name()
    {
        var service = await PutTwiceAsync("/services", _name, "name", ("url", "http://127.0.0.1:9/v1"));
        Assert.Equal("/v1", service["path"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_twice_by_username_replaces_a_consumer_and_keeps_its_username()
    {
        var consumer = await PutTwiceAsync("/consumers", _name, "username", ("custom_id", _name + "-custom"));
        Assert.Equal(_name + "-custom", consumer["custom_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_twice_by_name_replaces_an_upstream_and_keeps_its_name()
    {
        var upstream = await PutTwiceAsync("/upstreams", _name + ".internal", "name", ("slots", "100"));
        Assert.Equal(100, upstream["slots"]!.GetValue<int>());
    }

    [Fact]
    public async Task Put_twice_by_name_replaces_an_sni_and_keeps_its_name()
    {
        var (status, certificate) = await _admin.PostJsonAsync("/certificates", new { cert = EndToEndCertificates.Rsa.ChainPem, key = EndToEndCertificates.Rsa.KeyPem });
        Assert.Equal(201, status);
        var certificateId = certificate!["id"]!.GetValue<string>();

        var sni = await PutTwiceAsync("/snis", $"{_name}.test", "name", ("certificate.id", certificateId));
        Assert.Equal(certificateId, sni["certificate"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_twice_by_sni_replaces_a_certificate_and_keeps_the_sni()
    {
        var host = $"{_name}.test";
        var (first, created) = await PutFormAsync($"/certificates/{host}", ("cert", EndToEndCertificates.Rsa.ChainPem), ("key", EndToEndCertificates.Rsa.KeyPem));
        Assert.True(first == 200, created?.ToJsonString());
        var (second, replaced) = await PutFormAsync($"/certificates/{host}", ("cert", EndToEndCertificates.Ecdsa.ChainPem), ("key", EndToEndCertificates.Ecdsa.KeyPem));
        Assert.True(second == 200, replaced?.ToJsonString());

        Assert.Equal(created!["id"]!.GetValue<string>(), replaced!["id"]!.GetValue<string>());
        Assert.Equal([host], replaced["snis"]!.AsArray().Select(n => n!.GetValue<string>()));
        var (found, sni) = await _admin.GetJsonAsync($"/snis/{host}");
        Assert.Equal(200, found);
        Assert.Equal(created["id"]!.GetValue<string>(), sni!["certificate"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Name_in_the_path_wins_over_a_name_in_the_body()
    {
        var (status, service) = await _admin.SendJsonAsync(HttpMethod.Put, $"/services/{_name}", new { name = _name + "-other", url = "http://127.0.0.1:9" });
        Assert.True(status == 200, service?.ToJsonString());
        Assert.Equal(_name, service!["name"]!.GetValue<string>());
        Assert.Equal(404, (await _admin.GetJsonAsync($"/services/{_name}-other")).Status);
    }
}
