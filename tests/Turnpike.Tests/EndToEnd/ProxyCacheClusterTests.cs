using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>proxy-cache on several edges: each caches in its own memory, and a purge on one reaches the others.</summary>
public sealed class ProxyCacheClusterTests(ThreeEdgeFixture fixture) : IClassFixture<ThreeEdgeFixture>
{
    private readonly string _name = "pcc-" + Guid.NewGuid().ToString("N")[..8];

    private static async Task<string> StatusAsync(EdgeNode edge, string path)
    {
        using var response = await edge.Proxy.GetAsync(path);
        return response.Headers.TryGetValues("X-Cache-Status", out var values) ? values.Single() : "";
    }

    [Fact]
    public async Task A_purge_through_one_edge_empties_the_cache_of_every_edge()
    {
        var admin = fixture.Edges[0].Admin;
        await admin.CreateAsync("/services", new { name = _name, url = fixture.Upstream.Url });
        await admin.CreateAsync($"/services/{_name}/plugins", new { name = "proxy-cache", config = new { strategy = "memory" } });
        await admin.CreateAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } });
        var path = $"/{_name}/doc";
        foreach (var edge in fixture.Edges)
        {
            using var ready = await edge.Proxy.EventuallyAsync(path, r => r.Headers.Contains("X-Cache-Status"));
            Assert.Equal("Hit", await StatusAsync(edge, path)); // each edge's own memory, filled by its own miss
        }

        Assert.Equal(204, (await admin.SendJsonAsync(HttpMethod.Delete, "/proxy-cache")).Status);
        Assert.Equal("Miss", await StatusAsync(fixture.Edges[0], path));
        foreach (var edge in fixture.Edges.Skip(1))
        {
            // The other edges read the purge log within their poll interval (a second).
            using var purged = await edge.Proxy.EventuallyAsync(path, r => r.Headers.GetValues("X-Cache-Status").Single() == "Miss", TimeSpan.FromSeconds(10));
        }
    }
}
