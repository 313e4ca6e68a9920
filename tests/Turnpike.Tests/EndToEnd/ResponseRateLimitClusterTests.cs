using System.Net;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>response-ratelimiting's cluster policy across three edges: the same leases as rate-limiting, exact.</summary>
public sealed class ResponseRateLimitClusterTests(ThreeEdgeFixture fixture) : IClassFixture<ThreeEdgeFixture>
{
    private readonly string _name = "rrlc-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Sixty_concurrent_requests_over_three_edges_each_using_one_unit_admit_exactly_the_limit_of_20()
    {
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromHours(1));
        var admin = fixture.Edges[0].Admin;
        await admin.CreateAsync("/services", new { name = _name, url = fixture.Upstream.Url });
        await admin.CreateAsync($"/services/{_name}/plugins", new { name = "response-ratelimiting", config = new { limits = new { calls = new { hour = 20 } } } });
        await admin.CreateAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } });
        foreach (var edge in fixture.Edges)
        {
            using var ready = await edge.Proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.OK); // reports nothing, spends nothing
        }

        var path = $"/{_name}?respond_header=X-Kong-Limit:calls%3D1";
        var statuses = await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            using var response = await fixture.Edges[i % 3].Proxy.GetAsync(path);
            return response.StatusCode;
        }));

        Assert.Equal(20, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(40, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }
}
