using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

[Collection(DevGatewayCollection.Name)]
public sealed class ProxyTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "p-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A service on the test upstream and a route to it; returns once the edge routes by it.</summary>
    private async Task<string> RouteAsync(object? serviceFields = null, object? routeFields = null, string probe = "", string? host = null)
    {
        var service = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(serviceFields ?? new { }))!.AsObject();
        service["name"] = _name;
        service["url"] ??= fixture.Upstream.Url;
        Assert.Equal(201, (await _admin.PostJsonAsync("/services", service)).Status);
        var route = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(routeFields ?? new { }))!.AsObject();
        route["name"] = _name;
        route["paths"] ??= new JsonArray($"/{_name}");
        var (status, body) = await _admin.PostJsonAsync($"/services/{_name}/routes", route);
        Assert.True(status == 201, body?.ToJsonString());
        var path = probe.Length > 0 ? probe : $"/{_name}";
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            // A route matched by host is probed with that host: without it the probe proves nothing.
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (host is not null)
            {
                request.Headers.Host = host;
            }

            using var response = await _proxy.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.NotFound || DateTime.UtcNow > deadline)
            {
                return path;
            }

            await Task.Delay(50);
        }
    }

    private async Task<JsonObject> EchoAsync(HttpRequestMessage request)
    {
        using var response = await _proxy.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    [Fact]
    public async Task Request_reaches_the_upstream_with_the_prefix_stripped_and_forwarding_headers()
    {
        await RouteAsync(new { url = fixture.Upstream.Url + "/base" });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{_name}/items?x=1");
        request.Headers.Add("X-Forwarded-For", "10.1.1.1");
        var echo = await EchoAsync(request);
        Assert.Equal("/base/items", echo["path"]!.GetValue<string>());
        Assert.Equal("?x=1", echo["query"]!.GetValue<string>());
        var headers = echo["headers"]!;
        Assert.Equal("10.1.1.1, 127.0.0.1", headers["x-forwarded-for"]!.GetValue<string>());
        Assert.Equal("http", headers["x-forwarded-proto"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", headers["x-forwarded-host"]!.GetValue<string>());
        Assert.Equal(fixture.Edge.ProxyPort.ToString(), headers["x-forwarded-port"]!.GetValue<string>());
        Assert.Equal($"/{_name}/items", headers["x-forwarded-path"]!.GetValue<string>());
        Assert.Equal($"/{_name}", headers["x-forwarded-prefix"]!.GetValue<string>());
        Assert.Equal("1.1 turnpike", headers["via"]!.GetValue<string>());
        Assert.Equal($"127.0.0.1:{fixture.Upstream.Port}", echo["host"]!.GetValue<string>());
    }

    [Fact]
    public async Task Response_carries_via_and_latency_headers()
    {
        var path = await RouteAsync();
        using var response = await _proxy.GetAsync(path);
        Assert.Contains("1.1 turnpike", response.Headers.Via.ToString());
        Assert.True(int.Parse(response.Headers.GetValues("X-Turnpike-Upstream-Latency").Single()) >= 0);
        Assert.True(int.Parse(response.Headers.GetValues("X-Turnpike-Proxy-Latency").Single()) >= 0);
    }

    [Fact]
    public async Task Preserve_host_sends_the_client_host_and_strip_path_false_keeps_the_path()
    {
        await RouteAsync(routeFields: new { preserve_host = true, strip_path = false, hosts = new[] { $"{_name}.example" } }, probe: $"/{_name}/kept", host: $"{_name}.example");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{_name}/kept");
        request.Headers.Host = $"{_name}.example";
        var echo = await EchoAsync(request);
        Assert.Equal($"{_name}.example", echo["host"]!.GetValue<string>());
        Assert.Equal($"/{_name}/kept", echo["path"]!.GetValue<string>());
    }

    [Fact]
    public async Task Request_matching_no_route_gets_404_with_Kongs_message()
    {
        using var response = await _proxy.GetAsync("/definitely/not/routed/" + _name);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("no Route matched with those values", (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Refused_upstream_connection_gets_502_with_a_json_message()
    {
        var path = await RouteAsync(new { url = $"http://127.0.0.1:{FreePorts.Next()}" });
        using var response = await _proxy.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("An invalid response was received from the upstream server", (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Upstream_slower_than_the_service_read_timeout_gets_504()
    {
        await RouteAsync(new { url = fixture.Upstream.Url + "/slow", read_timeout = 300, write_timeout = 300 });
        using var response = await _proxy.GetAsync($"/{_name}?ms=5000");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("The upstream server is timing out", (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Response_body_is_streamed_not_buffered()
    {
        await RouteAsync(new { url = fixture.Upstream.Url + "/stream" }, probe: "/nothing-to-probe");
        using var response = await _proxy.GetAsync($"/{_name}", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        // The upstream holds back the rest until released: the first line can only arrive if nothing buffers it.
        Assert.Equal("first", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        fixture.Upstream.ReleaseStream();
        Assert.Equal("last", await reader.ReadLineAsync());
    }

    [Fact]
    public async Task Large_request_body_reaches_the_upstream_whole()
    {
        var path = await RouteAsync();
        using var content = new ByteArrayContent(new byte[5 * 1024 * 1024]);
        using var response = await _proxy.PostAsync(path, content);
        Assert.Equal(5 * 1024 * 1024, (await response.Content.ReadFromJsonAsync<JsonObject>())!["body_bytes"]!.GetValue<long>());
    }

    [Fact]
    public async Task Upstream_connections_are_kept_alive_and_reused()
    {
        var path = await RouteAsync();
        var before = fixture.Upstream.Connections;
        for (var i = 0; i < 30; i++)
        {
            using var response = await _proxy.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.True(fixture.Upstream.Connections - before <= 2, $"{fixture.Upstream.Connections - before} new upstream connections for 30 sequential requests");
    }

    [Fact]
    public async Task Https_only_route_answers_plain_http_with_426()
    {
        await RouteAsync(routeFields: new { protocols = new[] { "https" } }, probe: "/nothing-to-probe");
        using var response = await _proxy.EventuallyAsync($"/{_name}", r => r.StatusCode != HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.Equal("Please use HTTPS protocol", (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Disabled_service_takes_its_routes_out_of_the_proxy()
    {
        var path = await RouteAsync();
        await _admin.SendJsonAsync(HttpMethod.Patch, $"/services/{_name}", new { enabled = false });
        using var response = await _proxy.EventuallyAsync(path, r => r.StatusCode == HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Deleted_route_stops_matching()
    {
        var path = await RouteAsync();
        using var deleted = await _admin.DeleteAsync($"/routes/{_name}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var response = await _proxy.EventuallyAsync(path, r => r.StatusCode == HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Request_termination_plugin_answers_without_reaching_the_upstream()
    {
        var path = await RouteAsync();
        var (status, _) = await _admin.PostJsonAsync($"/routes/{_name}/plugins", new { name = "request-termination", config = new { status_code = 403, message = "closed" } });
        Assert.Equal(201, status);
        using var response = await _proxy.EventuallyAsync(path, r => r.StatusCode == HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("closed", (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Correlation_id_plugin_tags_the_upstream_request_and_echoes_the_id()
    {
        var path = await RouteAsync();
        await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "correlation-id", config = new { header_name = "X-Corr", generator = "uuid", echo_downstream = true } });
        using var response = await _proxy.EventuallyAsync(path, r => r.Headers.Contains("X-Corr"));
        var echoed = response.Headers.GetValues("X-Corr").Single();
        Assert.True(Guid.TryParse(echoed, out _));
        var echo = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(echoed, echo["headers"]!["x-corr"]!.GetValue<string>());
    }
}
