using System.Net;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

[Collection(DevGatewayCollection.Name)]
public sealed class LegacyApisTests(DevGatewayFixture fixture)
{
    private readonly string _name = "api-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Kong_0x_api_becomes_a_service_and_route_that_proxy_and_delete_together()
    {
        var admin = fixture.Edge.Admin;
        var (status, api) = await admin.PostFormAsync("/apis", ("name", _name), ("upstream_url", fixture.Upstream.Url + "/up"), ("uris", $"/{_name}"));
        Assert.Equal(201, status);
        Assert.Equal(fixture.Upstream.Url + "/up", api!["upstream_url"]!.GetValue<string>());
        Assert.True(api["strip_uri"]!.GetValue<bool>());
        Assert.Equal(200, (await admin.GetJsonAsync($"/services/{_name}")).Status);
        Assert.Equal(200, (await admin.GetJsonAsync($"/routes/{_name}")).Status);

        using var proxied = await fixture.Edge.Proxy.EventuallyAsync($"/{_name}/x", r => r.StatusCode == HttpStatusCode.OK);
        Assert.Contains("\"path\":\"/up/x\"", await proxied.Content.ReadAsStringAsync());

        var (_, fetched) = await admin.GetJsonAsync($"/apis/{_name}");
        Assert.Equal($"/{_name}", fetched!["uris"]![0]!.GetValue<string>());
        var (_, list) = await admin.GetJsonAsync("/apis");
        Assert.Contains(list!["data"]!.AsArray(), a => a!["name"]!.GetValue<string>() == _name);

        using var deleted = await admin.DeleteAsync($"/apis/{_name}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(404, (await admin.GetJsonAsync($"/services/{_name}")).Status);
        Assert.Equal(404, (await admin.GetJsonAsync($"/apis/{_name}")).Status);
    }

    [Fact]
    public async Task Old_request_host_field_is_accepted()
    {
        var (status, api) = await fixture.Edge.Admin.PostFormAsync("/apis", ("name", _name), ("upstream_url", fixture.Upstream.Url), ("request_host", $"{_name}.example"));
        Assert.Equal(201, status);
        Assert.Equal($"{_name}.example", api!["hosts"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("upstream_url", "required field missing")]
    [InlineData("@entity", "at least one of 'hosts', 'uris' or 'methods' must be specified")]
    public async Task Incomplete_api_gets_400_naming_the_missing_part(string field, string message)
    {
        var fields = field == "upstream_url"
            ? new[] { ("name", _name), ("uris", "/x") }
            : new[] { ("name", _name), ("upstream_url", "http://127.0.0.1:9") };
        var (status, body) = await fixture.Edge.Admin.PostFormAsync("/apis", fields);
        Assert.Equal(400, status);
        var value = body!["fields"]![field]!;
        Assert.Equal(message, value is System.Text.Json.Nodes.JsonArray array ? array[0]!.GetValue<string>() : value.GetValue<string>());
        Assert.Equal(404, (await fixture.Edge.Admin.GetJsonAsync($"/services/{_name}")).Status);
    }
}
