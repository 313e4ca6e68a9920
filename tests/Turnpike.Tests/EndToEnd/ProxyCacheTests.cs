using System.Net;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>proxy-cache through a real edge: Miss, Hit, Bypass and Refresh as Kong reports them, Cache-Control, the admin endpoints, collapsing.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class ProxyCacheTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "pc-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A route <c>/{name}</c> with proxy-cache configured as <paramref name="config"/> (strategy memory added); returns the proxy-cache plugin's id.</summary>
    private async Task<string> CachedRouteAsync(Dictionary<string, object> config, params object[] otherPlugins)
    {
        config["strategy"] = "memory";
        await _admin.CreateAsync("/services", new { name = _name, url = fixture.Upstream.Url });
        var (status, body) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "proxy-cache", config });
        Assert.True(status == 201, body?.ToJsonString());
        foreach (var plugin in otherPlugins)
        {
            await _admin.CreateAsync($"/services/{_name}/plugins", plugin);
        }

        await _admin.CreateAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } });
        using var ready = await _proxy.EventuallyAsync($"/{_name}/ready", r => r.StatusCode != HttpStatusCode.NotFound);
        return body!["id"]!.GetValue<string>();
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var content) ? string.Join(",", content) : "";

    private async Task<(string Status, string Key, string Body)> GetAsync(string path, Action<HttpRequestMessage>? shape = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        shape?.Invoke(request);
        using var response = await _proxy.SendAsync(request);
        return (Header(response, "X-Cache-Status"), Header(response, "X-Cache-Key"), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_second_request_is_a_hit_served_without_the_upstream_with_age_and_the_same_key()
    {
        await CachedRouteAsync([]);
        var path = $"/{_name}/item";
        var miss = await GetAsync(path);
        Assert.Equal("Miss", miss.Status);
        Assert.Matches("^[0-9a-f]{64}$", miss.Key);

        using var hit = await _proxy.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
        Assert.Equal("Hit", Header(hit, "X-Cache-Status"));
        Assert.Equal(miss.Key, Header(hit, "X-Cache-Key"));
        Assert.InRange(int.Parse(Header(hit, "Age")), 0, 5);
        Assert.Equal(miss.Body, await hit.Content.ReadAsStringAsync());
        Assert.Equal("application/json", hit.Content.Headers.ContentType!.MediaType);
        Assert.Equal(1, fixture.Upstream.ServedFor("/item"));
        Assert.Equal("Miss", (await GetAsync(path + "?other=1")).Status); // the query is part of the key
    }

    [Fact]
    public async Task Methods_content_types_and_statuses_outside_the_config_bypass_the_cache()
    {
        await CachedRouteAsync(new() { ["response_code"] = new[] { 200 } });
        using (var post = await _proxy.PostAsync($"/{_name}/p", new StringContent("x")))
        {
            Assert.Equal("Bypass", Header(post, "X-Cache-Status"));
        }

        var html = $"/{_name}/h?respond_header=Content-Type:text/html";
        Assert.Equal(["Bypass", "Bypass"], new[] { (await GetAsync(html)).Status, (await GetAsync(html)).Status });
        var missing = $"/{_name}/m?respond_status=404";
        Assert.Equal(["Bypass", "Bypass"], new[] { (await GetAsync(missing)).Status, (await GetAsync(missing)).Status });
        Assert.Equal(2, fixture.Upstream.ServedFor("/m"));
    }

    [Fact]
    public async Task With_cache_control_private_no_store_and_credentials_bypass_and_max_age_sets_the_ttl()
    {
        await CachedRouteAsync(new() { ["cache_control"] = true });
        var privately = $"/{_name}/a?respond_header=Cache-Control:private";
        Assert.Equal(["Bypass", "Bypass"], new[] { (await GetAsync(privately)).Status, (await GetAsync(privately)).Status });

        var noTtl = $"/{_name}/b"; // with cache_control, a response that says nothing of its freshness is not stored
        Assert.Equal(["Bypass", "Bypass"], new[] { (await GetAsync(noTtl)).Status, (await GetAsync(noTtl)).Status });

        var cacheable = $"/{_name}/c?respond_header=Cache-Control:max-age%3D60";
        Assert.Equal(["Miss", "Hit"], new[] { (await GetAsync(cacheable)).Status, (await GetAsync(cacheable)).Status });
        Assert.Equal("Bypass", (await GetAsync(cacheable, r => r.Headers.TryAddWithoutValidation("Cache-Control", "no-cache"))).Status);
        Assert.Equal("Bypass", (await GetAsync(cacheable, r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer x"))).Status);
        Assert.Equal("Refresh", (await GetAsync(cacheable, r => r.Headers.TryAddWithoutValidation("Cache-Control", "max-age=0, min-fresh=120"))).Status);
    }

    [Fact]
    public async Task Vary_headers_and_vary_query_params_choose_what_makes_a_different_entry()
    {
        await CachedRouteAsync(new() { ["vary_headers"] = new[] { "Accept-Language" }, ["vary_query_params"] = new[] { "page" } });
        var path = $"/{_name}/v";
        Assert.Equal("Miss", (await GetAsync(path + "?page=1&utm=a", r => r.Headers.Add("Accept-Language", "fr"))).Status);
        Assert.Equal("Hit", (await GetAsync(path + "?page=1&utm=b", r => r.Headers.Add("Accept-Language", "fr"))).Status);
        Assert.Equal("Miss", (await GetAsync(path + "?page=1", r => r.Headers.Add("Accept-Language", "de"))).Status);
        Assert.Equal("Miss", (await GetAsync(path + "?page=2", r => r.Headers.Add("Accept-Language", "fr"))).Status);
    }

    [Fact]
    public async Task The_admin_endpoints_read_and_purge_entries_by_key_by_plugin_and_all_at_once()
    {
        var pluginId = await CachedRouteAsync([]);
        var (_, key, _) = await GetAsync($"/{_name}/x");
        var (status, entry) = await _admin.GetJsonAsync($"/proxy-cache/{key}");
        Assert.Equal(200, status);
        Assert.Equal(200, entry!["status"]!.GetValue<int>());
        Assert.Equal(pluginId, entry["plugin_id"]!.GetValue<string>());
        Assert.Equal(200, (await _admin.GetJsonAsync($"/proxy-cache/{pluginId}/caches/{key}")).Status);

        var (_, other) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "cors" });
        Assert.Equal(404, (await _admin.GetJsonAsync($"/proxy-cache/{other!["id"]}/caches/{key}")).Status);

        Assert.Equal(204, (await _admin.SendJsonAsync(HttpMethod.Delete, $"/proxy-cache/{pluginId}/caches/{key}")).Status);
        Assert.Equal(404, (await _admin.GetJsonAsync($"/proxy-cache/{key}")).Status);
        Assert.Equal(404, (await _admin.SendJsonAsync(HttpMethod.Delete, $"/proxy-cache/{key}")).Status);
        Assert.Equal("Miss", (await GetAsync($"/{_name}/x")).Status);

        Assert.Equal(204, (await _admin.SendJsonAsync(HttpMethod.Delete, "/proxy-cache")).Status);
        Assert.Equal("Miss", (await GetAsync($"/{_name}/x")).Status);
    }

    [Fact]
    public async Task Request_collapsing_makes_concurrent_misses_one_upstream_request()
    {
        await CachedRouteAsync(new() { ["request_collapsing"] = true });
        var path = $"/{_name}/collapse?delay_ms=400";
        var statuses = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ => (await GetAsync(path)).Status));
        Assert.Equal(1, fixture.Upstream.ServedFor("/collapse"));
        Assert.Equal(1, statuses.Count(s => s == "Miss"));
        Assert.Equal(9, statuses.Count(s => s == "Hit"));
    }

    [Fact]
    public async Task Rate_limiting_counts_hits_and_key_auth_runs_before_the_cache()
    {
        await CachedRouteAsync([], new { name = "key-auth" }, new { name = "rate-limiting", config = new { hour = 3, limit_by = "consumer" } });
        await _admin.CreateAsync("/consumers", new { username = _name });
        await _admin.CreateAsync($"/consumers/{_name}/key-auth", new { key = _name + "-key" });
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromHours(1));
        var path = $"/{_name}/r?apikey={_name}-key";
        using (var unauthenticated = await _proxy.GetAsync($"/{_name}/r"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        }

        Assert.Equal(["Miss", "Hit", "Hit"], new[] { (await GetAsync(path)).Status, (await GetAsync(path)).Status, (await GetAsync(path)).Status });
        using var limited = await _proxy.GetAsync(path);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
    }
}
