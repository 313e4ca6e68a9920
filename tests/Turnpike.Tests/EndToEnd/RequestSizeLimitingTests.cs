using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>request-size-limiting through a real edge, with declared and chunked bodies.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class RequestSizeLimitingTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "size-" + Guid.NewGuid().ToString("N")[..8];

    private async Task LimitedRouteAsync(object config)
    {
        // The route comes last: once the edge routes by it, it has the plugin too (versions apply in order).
        Assert.Equal(201, (await _admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url })).Status);
        var (status, body) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "request-size-limiting", config });
        Assert.True(status == 201, body?.ToJsonString());
        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/routes", new { name = _name, paths = new[] { $"/{_name}" } })).Status);
        using var _ = await _proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.OK);
    }

    private static HttpContent Body(int bytes, bool chunked)
    {
        var content = chunked ? (HttpContent)new StreamContent(new MemoryStream(new byte[bytes])) : new ByteArrayContent(new byte[bytes]);
        if (chunked)
        {
            content.Headers.ContentLength = null;
        }

        return content;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_over_the_limit_gets_413_and_one_within_it_reaches_the_upstream_whole(bool chunked)
    {
        await LimitedRouteAsync(new { allowed_payload_size = 10, size_unit = "kilobytes" });
        using var over = await _proxy.PostAsync($"/{_name}", Body(10 * 1024 + 1, chunked));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Equal("Request size limit exceeded", (await over.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());

        using var within = await _proxy.PostAsync($"/{_name}", Body(10 * 1024, chunked));
        Assert.Equal(HttpStatusCode.OK, within.StatusCode);
        Assert.Equal(10 * 1024, (await within.Content.ReadFromJsonAsync<JsonObject>())!["body_bytes"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_chunked_body_gets_411_when_a_content_length_is_required()
    {
        await LimitedRouteAsync(new { allowed_payload_size = 1, require_content_length = true });
        using var response = await _proxy.PostAsync($"/{_name}", Body(100, chunked: true));
        Assert.Equal(HttpStatusCode.LengthRequired, response.StatusCode);
        Assert.Equal("A valid Content-Length header is required", (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_size_unit_gets_400()
    {
        var (status, body) = await _admin.PostJsonAsync("/plugins", new { name = "request-size-limiting", config = new { size_unit = "gigabytes" } });
        Assert.Equal(400, status);
        Assert.Equal("expected one of: megabytes, kilobytes, bytes", body!["fields"]!["config"]!["size_unit"]!.GetValue<string>());
    }
}
