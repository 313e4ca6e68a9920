using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>response-transformer through a real edge: what the client receives from the (JSON-echoing) upstream.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class ResponseTransformerTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "rs-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<HttpResponseMessage> TransformedAsync(object config)
    {
        Assert.Equal(201, (await _admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url })).Status);
        var (status, body) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "response-transformer", config });
        Assert.True(status == 201, body?.ToJsonString());
        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/routes", new { name = _name, paths = new[] { $"/{_name}" } })).Status);
        var response = await _proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    [Fact]
    public async Task Response_headers_are_removed_added_and_appended()
    {
        using var response = await TransformedAsync(new
        {
            remove = new { headers = new[] { "Server" } },
            add = new { headers = new[] { "X-Added:1" } },
            append = new { headers = new[] { "Via:transformed" } },
        });
        Assert.False(response.Headers.Contains("Server"));
        Assert.Equal("1", response.Headers.GetValues("X-Added").Single());
        Assert.Contains("transformed", string.Join(",", response.Headers.GetValues("Via")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_body_fields_are_transformed_with_their_declared_types_and_the_length_fits()
    {
        using var response = await TransformedAsync(new
        {
            remove = new { json = new[] { "headers", "body" } },
            rename = new { json = new[] { "method:verb" } },
            replace = new { json = new[] { "path:/hidden" } },
            add = new { json = new[] { "limit:5", "beta:true" }, json_types = new[] { "number", "boolean" } },
        });
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(text.Length, response.Content.Headers.ContentLength);
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Null(body["headers"]);
        Assert.Null(body["method"]);
        Assert.Equal("GET", body["verb"]!.GetValue<string>());
        Assert.Equal("/hidden", body["path"]!.GetValue<string>());
        Assert.Equal(5, body["limit"]!.GetValue<double>());
        Assert.True(body["beta"]!.GetValue<bool>());
    }

    [Fact]
    public async Task An_upstream_error_is_still_answered_when_the_body_is_buffered()
    {
        Assert.Equal(201, (await _admin.PostJsonAsync("/services", new { name = _name, url = $"http://127.0.0.1:{FreePorts.Next()}" })).Status);
        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "response-transformer", config = new { add = new { json = new[] { "a:1" } } } })).Status);
        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/routes", new { name = _name, paths = new[] { $"/{_name}" } })).Status);
        using var response = await _proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.BadGateway);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.NotNull((await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]);
    }

    [Fact]
    public async Task An_unknown_json_type_gets_400()
    {
        var (status, body) = await _admin.PostJsonAsync("/plugins", new { name = "response-transformer", config = new { add = new { json = new[] { "a:1" }, json_types = new[] { "date" } } } });
        Assert.Equal(400, status);
        Assert.Equal("expected one of: string, boolean, number", body!["fields"]!["config"]!["add"]!["json_types"]![0]!.GetValue<string>());
    }
}
