using System.Net;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>Kong's <c>PUT .../healthy|unhealthy</c> and <c>targets/all</c>, through one edge of three: every edge follows.</summary>
public sealed class TargetHealthTests(ThreeEdgeFixture fixture) : IClassFixture<ThreeEdgeFixture>
{
    private readonly string _name = "th-" + Guid.NewGuid().ToString("N")[..8];

    private HttpClient Admin => fixture.Edges[0].Admin;

    private async Task<string> UpstreamWithTargetAsync(object healthchecks)
    {
        await Admin.CreateAsync("/upstreams", new { name = _name, healthchecks });
        await Admin.CreateAsync($"/upstreams/{_name}/targets", new { target = $"127.0.0.1:{fixture.Upstream.Port}" });
        await Admin.CreateAsync("/services", new { name = _name, host = _name });
        await Admin.CreateAsync($"/services/{_name}/routes", new { name = _name, paths = new[] { "/" + _name } });
        return $"127.0.0.1:{fixture.Upstream.Port}";
    }

    private Task EveryEdgeAnswersAsync(HttpStatusCode status) =>
        Task.WhenAll(fixture.Edges.Select(edge => edge.Proxy.EventuallyAsync("/" + _name, r => r.StatusCode == status)));

    [Fact]
    public async Task Unhealthy_set_through_one_edge_stops_traffic_on_every_edge_until_set_healthy_through_another()
    {
        var target = await UpstreamWithTargetAsync(new { passive = new { unhealthy = new { http_failures = 5 } } });
        await EveryEdgeAnswersAsync(HttpStatusCode.OK);

        using (var unhealthy = await Admin.PutAsync($"/upstreams/{_name}/targets/{target}/unhealthy", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, unhealthy.StatusCode);
        }

        // Its only target down, the upstream has no peer: Kong's 503, on every edge.
        await EveryEdgeAnswersAsync(HttpStatusCode.ServiceUnavailable);
        var (_, health) = await fixture.Edges[2].Admin.GetJsonAsync($"/upstreams/{_name}/health");
        Assert.Equal("UNHEALTHY", health!["data"]![0]!["health"]!.GetValue<string>());

        using (var healthy = await fixture.Edges[1].Admin.PutAsync($"/upstreams/{_name}/targets/{target}/127.0.0.1:{fixture.Upstream.Port}/healthy", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, healthy.StatusCode);
        }

        await EveryEdgeAnswersAsync(HttpStatusCode.OK);

        // The verdict is not part of Kong's target: the target reads as before.
        var (_, all) = await Admin.GetJsonAsync($"/upstreams/{_name}/targets/all");
        var listed = Assert.Single(all!["data"]!.AsArray());
        Assert.Equal(target, listed!["target"]!.GetValue<string>());
        Assert.Null(listed["health_overrides"]);
    }

    [Fact]
    public async Task Health_cannot_be_set_without_health_checks_nor_for_unknown_targets_or_bad_addresses()
    {
        var target = await UpstreamWithTargetAsync(new { });

        var (off, offBody) = await Admin.SendJsonAsync(HttpMethod.Put, $"/upstreams/{_name}/targets/{target}/unhealthy");
        Assert.Equal(400, off);
        Assert.StartsWith("no healthchecker found", offBody!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var (unknown, _) = await Admin.SendJsonAsync(HttpMethod.Put, $"/upstreams/{_name}/targets/10.9.9.9:1/healthy");
        Assert.Equal(404, unknown);
        var (noUpstream, _) = await Admin.SendJsonAsync(HttpMethod.Put, $"/upstreams/{_name}-none/targets/{target}/healthy");
        Assert.Equal(404, noUpstream);
        var (badAddress, _) = await Admin.SendJsonAsync(HttpMethod.Put, $"/upstreams/{_name}/targets/{target}/not-an-address%0D%0A/healthy");
        Assert.Equal(400, badAddress);
    }
}
