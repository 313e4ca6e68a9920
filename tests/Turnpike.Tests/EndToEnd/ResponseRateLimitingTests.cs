using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>response-ratelimiting through a real edge: usage reported by the upstream, Kong's headers, the bare 429 and block_on_first_violation.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class ResponseRateLimitingTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "rrl-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<string> LimitedRouteAsync(object config)
    {
        await _admin.CreateAsync("/services", new { name = _name, url = fixture.Upstream.Url });
        var (status, body) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "response-ratelimiting", config });
        Assert.True(status == 201, body?.ToJsonString());
        await _admin.CreateAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } });
        // The probe reports no usage, so it spends nothing.
        using var ready = await _proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.OK);
        return $"/{_name}";
    }

    private static string Reporting(string path, string usage) => $"{path}?respond_header=X-Kong-Limit:{Uri.EscapeDataString(usage)}";

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    [Fact]
    public async Task Usage_reported_by_the_upstream_counts_until_a_spent_limit_turns_the_answer_into_a_bare_429()
    {
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromHours(1));
        var path = await LimitedRouteAsync(new { limits = new { videos = new { hour = 5 }, images = new { minute = 100, hour = 200 } } });

        // 5 an hour, 2 a response: 5 → 3 → 1 → 0 (the third overshoots, as in Kong: it was allowed while one was left).
        foreach (var (before, left) in new[] { (5, 3), (3, 1), (1, 0) })
        {
            using var admitted = await _proxy.GetAsync(Reporting(path, "videos=2, images=1"));
            Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
            Assert.Equal("5", Header(admitted, "X-RateLimit-Limit-videos-hour"));
            Assert.Equal(left.ToString(), Header(admitted, "X-RateLimit-Remaining-videos-hour"));
            Assert.Equal("100", Header(admitted, "X-RateLimit-Limit-images-minute"));
            Assert.False(admitted.Headers.Contains("X-Kong-Limit"), "the upstream's usage header stays between it and the gateway");
            var echoed = await admitted.Content.ReadFromJsonAsync<JsonObject>();
            Assert.Equal(before.ToString(), echoed!["headers"]!["x-ratelimit-remaining-videos"]!.GetValue<string>());
        }

        using var images = await _proxy.GetAsync(Reporting(path, "images=1"));
        Assert.Equal(HttpStatusCode.OK, images.StatusCode); // the spent limit is not used by this response
        Assert.Equal("96", Header(images, "X-RateLimit-Remaining-images-minute"));

        using var rejected = await _proxy.GetAsync(Reporting(path, "videos=1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.Empty(await rejected.Content.ReadAsByteArrayAsync());
        Assert.Equal("0", Header(rejected, "X-RateLimit-Remaining-videos-hour"));
    }

    [Fact]
    public async Task Block_on_first_violation_refuses_before_the_upstream_with_Kongs_message_naming_the_limit()
    {
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromHours(1));
        var path = await LimitedRouteAsync(new { block_on_first_violation = true, limits = new { videos = new { hour = 2 } } });
        using (var first = await _proxy.GetAsync(Reporting(path, "videos=2")))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var served = fixture.Upstream.ServedFor(path);
        using var rejected = await _proxy.GetAsync(Reporting(path, "videos=1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.Equal("API rate limit exceeded for 'videos'", (await rejected.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
        Assert.Equal(served, fixture.Upstream.ServedFor(path));
    }

    [Fact]
    public async Task Header_name_and_hide_client_headers_are_honoured()
    {
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromHours(1));
        var path = await LimitedRouteAsync(new { header_name = "X-Usage", hide_client_headers = true, limits = new { calls = new { hour = 1 } } });
        using (var first = await _proxy.GetAsync($"{path}?respond_header=X-Usage:calls%3D1"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.DoesNotContain(first.Headers, h => h.Key.StartsWith("X-RateLimit", StringComparison.OrdinalIgnoreCase));
            Assert.False(first.Headers.Contains("X-Usage"));
        }

        using var second = await _proxy.GetAsync($"{path}?respond_header=X-Usage:calls%3D1");
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
    }

    [Fact]
    public async Task Bad_configs_are_400_in_Kongs_shape_and_store_nothing()
    {
        await _admin.CreateAsync("/services", new { name = _name, url = fixture.Upstream.Url });
        var (status, body) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "response-ratelimiting", config = new { limits = new { videos = new { minute = 20, hour = 10 } } } });
        Assert.Equal(400, status);
        Assert.Equal("the limit for hour(10.0) cannot be lower than the limit for minute(20.0)", body!["fields"]!["config"]!["limits"]!["videos"]!.GetValue<string>());

        (status, body) = await _admin.PostFormAsync($"/services/{_name}/plugins", ("name", "response-ratelimiting"), ("config.limits.videos.minute", "0"));
        Assert.Equal(400, status);
        Assert.Equal("value must be greater than 0", body!["fields"]!["config"]!["limits"]!["videos"]!["minute"]!.GetValue<string>());

        var (_, plugins) = await _admin.GetJsonAsync($"/services/{_name}/plugins");
        Assert.Empty(plugins!["data"]!.AsArray());
    }

    [Fact]
    public async Task Form_encoded_limits_work_as_Kongs_documentation_writes_them_and_the_schema_shows_the_map()
    {
        await _admin.CreateAsync("/services", new { name = _name, url = fixture.Upstream.Url });
        var (status, body) = await _admin.PostFormAsync($"/services/{_name}/plugins", ("name", "response-ratelimiting"), ("config.limits.videos.minute", "10"));
        Assert.True(status == 201, body?.ToJsonString());
        Assert.Equal(10, body!["config"]!["limits"]!["videos"]!["minute"]!.GetValue<int>());

        var (_, schema) = await _admin.GetJsonAsync("/schemas/plugins/response-ratelimiting");
        var config = schema!["fields"]!.AsArray().Select(f => f!.AsObject()).Single(f => f.ContainsKey("config"))["config"]!;
        var limits = config["fields"]!.AsArray().Select(f => f!.AsObject()).Single(f => f.ContainsKey("limits"))["limits"]!;
        Assert.Equal("map", limits["type"]!.GetValue<string>());
        Assert.Equal("record", limits["values"]!["type"]!.GetValue<string>());
    }
}
