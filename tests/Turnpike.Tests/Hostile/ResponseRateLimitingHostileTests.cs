using System.Net;
using Turnpike.Tests.EndToEnd;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>response-ratelimiting against a hostile upstream report, a client forging the gateway's header, and names that would break headers.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class ResponseRateLimitingHostileTests(DevGatewayFixture fixture)
{
    private readonly string _name = "rrl-h-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<string> LimitedRouteAsync()
    {
        await fixture.Edge.Admin.CreateAsync("/services", new { name = _name, url = fixture.Upstream.Url });
        await fixture.Edge.Admin.CreateAsync($"/services/{_name}/plugins", new { name = "response-ratelimiting", config = new { limits = new { videos = new { hour = 3 } } } });
        await fixture.Edge.Admin.CreateAsync($"/services/{_name}/routes", new { paths = new[] { "/" + _name } });
        using var _ = await fixture.Edge.Proxy.EventuallyAsync("/" + _name, r => r.StatusCode == HttpStatusCode.OK);
        return "/" + _name;
    }

    [Fact]
    public async Task Garbage_huge_and_negative_usage_reports_count_nothing_and_never_fail_the_request()
    {
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromHours(1));
        var path = await LimitedRouteAsync();
        var reports = new[]
        {
            "videos=-1000", "videos=1e9", "videos=99999999999999999999999999", "videos==", "=,=,=", "videos=NaN",
            string.Join(",", Enumerable.Repeat("x=1", 900)), "videos=" + new string('9', 2000),
        };
        foreach (var report in reports)
        {
            using var response = await fixture.Edge.Proxy.GetAsync($"{path}?respond_header=X-Kong-Limit:{Uri.EscapeDataString(report)}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("3", response.Headers.GetValues("X-RateLimit-Remaining-videos-hour").Single());
            Assert.False(response.Headers.Contains("X-Kong-Limit"));
        }
    }

    [Fact]
    public async Task A_client_cannot_tell_the_upstream_how_much_quota_is_left()
    {
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromHours(1));
        var path = await LimitedRouteAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-RateLimit-Remaining-videos", "1000000");
        using var response = await fixture.Edge.Proxy.SendAsync(request);
        var echoed = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("3", echoed["headers"]!["x-ratelimit-remaining-videos"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("vid\r\neos")]
    [InlineData("vid\0eos")]
    [InlineData("")]
    public async Task A_limit_name_that_cannot_be_part_of_a_header_name_is_a_400_and_stores_nothing(string metric)
    {
        await fixture.Edge.Admin.CreateAsync("/services", new { name = _name, url = fixture.Upstream.Url });
        var limits = new Dictionary<string, object> { [metric] = new { minute = 1 } };
        var (status, body) = await fixture.Edge.Admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "response-ratelimiting", config = new { limits } });
        Assert.Equal(400, status);
        Assert.NotNull(body!["fields"]!["config"]!["limits"]);
        var (_, plugins) = await fixture.Edge.Admin.GetJsonAsync($"/services/{_name}/plugins");
        Assert.Empty(plugins!["data"]!.AsArray());
    }
}
