using System.Net;
using Turnpike.Tests.EndToEnd;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>proxy-cache against hostile keys and sizes: what a client sends never reaches a header raw nor grows the memory past its bound.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class ProxyCacheHostileTests(DevGatewayFixture fixture)
{
    private readonly string _name = "pc-h-" + Guid.NewGuid().ToString("N")[..8];

    private static async Task<string> CachedRouteAsync(EdgeNode edge, string name, string upstream, object config)
    {
        await edge.Admin.CreateAsync("/services", new { name, url = upstream });
        await edge.Admin.CreateAsync($"/services/{name}/plugins", new { name = "proxy-cache", config });
        await edge.Admin.CreateAsync($"/services/{name}/routes", new { paths = new[] { "/" + name } });
        using var _ = await edge.Proxy.EventuallyAsync("/" + name, r => r.StatusCode == HttpStatusCode.OK);
        return "/" + name;
    }

    [Fact]
    public async Task Huge_and_odd_varied_headers_and_queries_make_a_hex_key_and_a_normal_hit()
    {
        var path = await CachedRouteAsync(fixture.Edge, _name, fixture.Upstream.Url, new { strategy = "memory", vary_headers = new[] { "X-Tenant" } });
        var query = "?" + string.Join("&", Enumerable.Range(0, 300).Select(i => $"k{i}=%0D%0A%00{i}"));
        string? key = null;
        foreach (var expected in new[] { "Miss", "Hit" })
        {
            // Raw bytes: quotes, separators and escapes of CR, LF and NUL where a naive key would splice them into text.
            var (status, text) = await RawHttp.SendAsync(
                fixture.Edge.ProxyPort, $"GET {path}/odd{query} HTTP/1.1\r\nHost: t\r\nX-Tenant: {string.Concat(Enumerable.Repeat("\"';<>|:=%0D%0A", 500))}\r\nConnection: close\r\n\r\n");
            Assert.Equal(200, status);
            var head = text.Split("\r\n");
            Assert.Contains($"X-Cache-Status: {expected}", head);
            var keyLine = head.Single(l => l.StartsWith("X-Cache-Key: ", StringComparison.Ordinal));
            Assert.Matches("^X-Cache-Key: [0-9a-f]{64}$", keyLine);
            Assert.True(key is null || keyLine == key);
            key = keyLine;
        }
    }

    [Theory]
    [InlineData("/proxy-cache/%0D%0Ax")]
    [InlineData("/proxy-cache/not-a-plugin/caches/abc")]
    [InlineData("/proxy-cache/00000000-0000-0000-0000-000000000000/caches/abc")]
    public async Task Garbage_cache_keys_and_plugin_ids_on_the_admin_api_are_404s(string path)
    {
        Assert.Equal(404, (await fixture.Edge.Admin.GetJsonAsync(path)).Status);
        Assert.Equal(404, (await fixture.Edge.Admin.SendJsonAsync(HttpMethod.Delete, path)).Status);
    }

    [Fact]
    public async Task The_memory_stays_within_its_size_and_a_response_larger_than_an_entry_is_passed_through_uncached()
    {
        await using var edge = await EdgeNode.StartDevAsync("--Turnpike:ProxyCache:MemorySize=1048576", "--Turnpike:ProxyCache:MaxEntrySize=16384");
        var path = await CachedRouteAsync(edge, _name, fixture.Upstream.Url, new { strategy = "memory" });

        // The upstream echoes the request's headers: a 20 kB header makes a 20 kB answer.
        async Task<(HttpStatusCode, string, int)> SendAsync(string item, int padding)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{path}/{item}");
            request.Headers.TryAddWithoutValidation("X-Pad", new string('p', padding));
            using var response = await edge.Proxy.SendAsync(request);
            return (response.StatusCode, response.Headers.GetValues("X-Cache-Status").Single(), (await response.Content.ReadAsByteArrayAsync()).Length);
        }

        // Its length is not known from its headers (chunked): it is a Miss whose copy is dropped past the bound.
        var (status, cache, length) = await SendAsync("big", 20_000);
        Assert.Equal((HttpStatusCode.OK, "Miss"), (status, cache));
        Assert.True(length > 20_000);
        Assert.Equal("Miss", (await SendAsync("big", 20_000)).Item2);
        Assert.Equal(2, fixture.Upstream.ServedFor("/big"));

        // 200 entries of about 10 kB (2 MB) through a 1 MiB memory: the first ones are evicted, the last ones kept.
        var keys = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{path}/e{i}");
            request.Headers.TryAddWithoutValidation("X-Pad", new string('p', 10_000));
            using var response = await edge.Proxy.SendAsync(request);
            Assert.Equal("Miss", response.Headers.GetValues("X-Cache-Status").Single());
            keys.Add(response.Headers.GetValues("X-Cache-Key").Single());
        }

        Assert.Equal(404, (await edge.Admin.GetJsonAsync($"/proxy-cache/{keys[0]}")).Status);
        Assert.Equal(200, (await edge.Admin.GetJsonAsync($"/proxy-cache/{keys[^1]}")).Status);
        var kept = 0;
        foreach (var key in keys)
        {
            kept += (await edge.Admin.GetJsonAsync($"/proxy-cache/{key}")).Status == 200 ? 1 : 0;
        }

        Assert.InRange(kept, 50, 104); // 1 MiB holds about a hundred 10 kB entries, never all 200
    }
}
