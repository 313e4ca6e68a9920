using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>request-transformer through a real edge: what the upstream receives.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class RequestTransformerTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "rt-" + Guid.NewGuid().ToString("N")[..8];

    private async Task TransformedRouteAsync(object config)
    {
        Assert.Equal(201, (await _admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url })).Status);
        var (status, body) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "request-transformer", config });
        Assert.True(status == 201, body?.ToJsonString());
        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/routes", new { name = _name, paths = new[] { $"/{_name}" } })).Status);
        using var _ = await _proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.OK);
    }

    private async Task<JsonObject> EchoAsync(HttpRequestMessage request)
    {
        using var response = await _proxy.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    [Fact]
    public async Task Headers_and_query_parameters_are_removed_renamed_replaced_added_and_appended_in_Kongs_order()
    {
        await TransformedRouteAsync(new
        {
            remove = new { headers = new[] { "X-Secret" }, querystring = new[] { "debug" } },
            rename = new { headers = new[] { "X-Old:X-New" }, querystring = new[] { "q:search" } },
            replace = new { headers = new[] { "X-Tier:gold", "X-Absent:nope" } },
            add = new { headers = new[] { "X-Added:1", "X-Tier:ignored" }, querystring = new[] { "v:2" } },
            append = new { headers = new[] { "X-List:b" } },
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{_name}?debug=1&q=shoes&keep=yes");
        request.Headers.Add("X-Secret", "s");
        request.Headers.Add("X-Old", "o");
        request.Headers.Add("X-Tier", "bronze");
        request.Headers.Add("X-List", "a");
        var echo = await EchoAsync(request);
        var headers = echo["headers"]!;
        Assert.Null(headers["x-secret"]);
        Assert.Null(headers["x-old"]);
        Assert.Equal("o", headers["x-new"]!.GetValue<string>());
        Assert.Equal("gold", headers["x-tier"]!.GetValue<string>());
        Assert.Null(headers["x-absent"]);
        Assert.Equal("1", headers["x-added"]!.GetValue<string>());
        Assert.Equal("a, b", headers["x-list"]!.GetValue<string>());
        // Parameter order carries no meaning (Kong does not keep it either).
        Assert.Equal(["keep=yes", "search=shoes", "v=2"], echo["query"]!.GetValue<string>().TrimStart('?').Split('&').Order());
    }

    [Fact]
    public async Task Json_and_form_bodies_are_transformed_and_the_method_and_path_replaced()
    {
        await TransformedRouteAsync(new
        {
            http_method = "PUT",
            replace = new { uri = "/v2/orders" },
            remove = new { body = new[] { "password" } },
            add = new { body = new[] { "source:gateway" } },
            append = new { body = new[] { "tags:api" } },
        });
        var json = await EchoAsync(new HttpRequestMessage(HttpMethod.Post, $"/{_name}")
        {
            Content = new StringContent("""{"user":"ann","password":"x","tags":"web"}""", Encoding.UTF8, "application/json"),
        });
        Assert.Equal(("PUT", "/v2/orders"), (json["method"]!.GetValue<string>(), json["path"]!.GetValue<string>()));
        Assert.Equal("""{"user":"ann","tags":["web","api"],"source":"gateway"}""", json["body"]!.GetValue<string>());

        var form = await EchoAsync(new HttpRequestMessage(HttpMethod.Post, $"/{_name}")
        {
            Content = new FormUrlEncodedContent([KeyValuePair.Create("user", "ann"), KeyValuePair.Create("password", "x")]),
        });
        Assert.Equal("user=ann&source=gateway&tags=api", form["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_forwarded_unchanged()
    {
        await TransformedRouteAsync(new { add = new { body = new[] { "a:1" } } });
        var echo = await EchoAsync(new HttpRequestMessage(HttpMethod.Post, $"/{_name}")
        {
            Content = new StringContent("not json {", Encoding.UTF8, "application/json"),
        });
        Assert.Equal("not json {", echo["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task Malformed_pairs_and_unknown_fields_get_400_naming_them()
    {
        var (status, body) = await _admin.PostJsonAsync("/plugins", new
        {
            name = "request-transformer",
            instance_name = _name,
            config = new { add = new { headers = new[] { "no-colon" }, cookies = new[] { "a:b" } }, http_method = "get" },
        });
        Assert.Equal(400, status);
        var fields = body!["fields"]!["config"]!;
        Assert.Equal("invalid value: no-colon", fields["add"]!["headers"]![0]!.GetValue<string>());
        Assert.Equal("unknown field", fields["add"]!["cookies"]!.GetValue<string>());
        Assert.Equal("invalid value: get", fields["http_method"]!.GetValue<string>());
        Assert.Equal(404, (await _admin.GetJsonAsync($"/plugins/{_name}")).Status);
    }
}
