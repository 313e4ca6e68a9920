using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

[Collection(DevGatewayCollection.Name)]
public sealed class AdminApiTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly string _name = "svc-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Service_lifecycle_follows_Kong_statuses()
    {
        var (created, service) = await _admin.PostJsonAsync("/services", new { name = _name, url = "http://127.0.0.1:9/v1", tags = new[] { "t1" } });
        Assert.Equal(201, created);
        var id = service!["id"]!.GetValue<string>();
        Assert.True(Guid.TryParse(id, out _));
        Assert.Equal(("http", 9, "/v1", 5, 60000), (service["protocol"]!.GetValue<string>(), service["port"]!.GetValue<int>(), service["path"]!.GetValue<string>(), service["retries"]!.GetValue<int>(), service["read_timeout"]!.GetValue<int>()));
        Assert.True(service["created_at"]!.GetValue<long>() > 1_600_000_000);

        Assert.Equal(id, (await _admin.GetJsonAsync($"/services/{_name}")).Body!["id"]!.GetValue<string>());
        Assert.Equal(_name, (await _admin.GetJsonAsync($"/services/{id}")).Body!["name"]!.GetValue<string>());

        var (patched, patchedBody) = await _admin.SendJsonAsync(HttpMethod.Patch, $"/services/{_name}", new { retries = 2 });
        Assert.Equal(200, patched);
        Assert.Equal((2, "/v1"), (patchedBody!["retries"]!.GetValue<int>(), patchedBody["path"]!.GetValue<string>()));

        var (put, putBody) = await _admin.SendJsonAsync(HttpMethod.Put, $"/services/{_name}", new { host = "replaced.internal" });
        Assert.Equal(200, put);
        Assert.Equal((id, 5, 80), (putBody!["id"]!.GetValue<string>(), putBody["retries"]!.GetValue<int>(), putBody["port"]!.GetValue<int>()));

        using var deleted = await _admin.DeleteAsync($"/services/{_name}");
        Assert.Equal(204, (int)deleted.StatusCode);
        var (missing, missingBody) = await _admin.GetJsonAsync($"/services/{_name}");
        Assert.Equal(404, missing);
        Assert.Equal("Not found", missingBody!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_creates_a_missing_service_under_the_name_in_the_path()
    {
        var (status, body) = await _admin.SendJsonAsync(HttpMethod.Put, $"/services/{_name}", new { host = "h.internal" });
        Assert.Equal(200, status);
        Assert.Equal(_name, body!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Form_encoded_bodies_are_accepted_as_Kong_accepts_them()
    {
        var (status, _) = await _admin.PostFormAsync("/services", ("name", _name), ("url", "http://127.0.0.1:9"));
        Assert.Equal(201, status);
        // Paths of this test's own: the gateway is shared, and a short prefix would catch other tests' requests.
        var (routeStatus, route) = await _admin.PostFormAsync($"/services/{_name}/routes", ("paths[]", $"/{_name}/a"), ("paths[]", $"/{_name}/b"), ("methods", "GET"), ("strip_path", "false"));
        Assert.Equal(201, routeStatus);
        Assert.Equal($"[\"/{_name}/a\",\"/{_name}/b\"]", route!["paths"]!.ToJsonString());
        Assert.False(route["strip_path"]!.GetValue<bool>());
        var (listStatus, list) = await _admin.GetJsonAsync($"/services/{_name}/routes");
        Assert.Equal(200, listStatus);
        Assert.Single(list!["data"]!.AsArray());
    }

    [Fact]
    public async Task Lists_page_with_size_and_offset_and_filter_by_tags()
    {
        var tag = "tag" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(201, (await _admin.PostJsonAsync("/services", new { name = $"{_name}-{i}", host = "h.internal", tags = new[] { tag, i < 2 ? "first" : "rest" } })).Status);
        }

        var (_, page1) = await _admin.GetJsonAsync($"/services?tags={tag}&size=3");
        Assert.Equal(3, page1!["data"]!.AsArray().Count);
        var next = page1["next"]!.GetValue<string>();
        Assert.StartsWith("/services?offset=", next);
        var (_, page2) = await _admin.GetJsonAsync(next);
        Assert.Equal(2, page2!["data"]!.AsArray().Count);
        Assert.Null(page2["next"]);
        Assert.Null(page2["offset"]);

        var (_, both) = await _admin.GetJsonAsync($"/services?tags={tag},first");
        Assert.Equal(2, both!["data"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("/services?size=0", 9, "size must be an integer between 1 and 1000")]
    [InlineData("/services?size=ten", 9, "size must be a number")]
    [InlineData("/services?offset=%%%", 7, "'%%%' is not a valid offset: bad base64 encoding")]
    [InlineData("/services?tags=a,b/c", 11, "invalid option (tags: invalid filter syntax)")]
    public async Task Bad_list_parameters_get_400_with_Kong_codes(string path, int code, string message)
    {
        var (status, body) = await _admin.GetJsonAsync(path.Replace("%%%", "%25%25%25", StringComparison.Ordinal));
        Assert.Equal(400, status);
        Assert.Equal(code, body!["code"]!.GetValue<int>());
        Assert.Equal(message, body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Malformed_json_gets_400_and_stores_nothing()
    {
        var (status, body) = await _admin.SendJsonAsync(HttpMethod.Post, "/services", "{\"name\": \"" + _name + "\",");
        Assert.Equal(400, status);
        Assert.Equal("Cannot parse JSON body", body!["message"]!.GetValue<string>());
        Assert.Equal(404, (await _admin.GetJsonAsync($"/services/{_name}")).Status);
    }

    [Fact]
    public async Task Schema_violations_get_400_naming_every_field_and_store_nothing()
    {
        var (status, body) = await _admin.PostJsonAsync("/services", new { name = _name, host = "h", port = "eighty", colour = "red" });
        Assert.Equal(400, status);
        Assert.Equal((2, "schema violation"), (body!["code"]!.GetValue<int>(), body["name"]!.GetValue<string>()));
        Assert.Equal("expected an integer", body["fields"]!["port"]!.GetValue<string>());
        Assert.Equal("unknown field", body["fields"]!["colour"]!.GetValue<string>());
        Assert.Equal(404, (await _admin.GetJsonAsync($"/services/{_name}")).Status);
    }

    [Fact]
    public async Task Duplicate_name_gets_409_and_the_first_service_is_kept()
    {
        await _admin.PostJsonAsync("/services", new { name = _name, host = "first.internal" });
        var (status, body) = await _admin.PostJsonAsync("/services", new { name = _name, host = "second.internal" });
        Assert.Equal(409, status);
        Assert.Equal("unique constraint violation", body!["name"]!.GetValue<string>());
        Assert.Equal("first.internal", (await _admin.GetJsonAsync($"/services/{_name}")).Body!["host"]!.GetValue<string>());
    }

    [Fact]
    public async Task Route_referencing_a_missing_service_gets_400_foreign_key_violation()
    {
        var missing = Guid.NewGuid();
        var (status, body) = await _admin.PostJsonAsync("/routes", new { name = _name, paths = new[] { "/x" }, service = new { id = missing } });
        Assert.Equal(400, status);
        Assert.Equal("foreign key violation", body!["name"]!.GetValue<string>());
        Assert.Equal(missing.ToString(), body["fields"]!["service"]!["id"]!.GetValue<string>());
        var (byName, byNameBody) = await _admin.PostJsonAsync("/routes", new { paths = new[] { "/x" }, service = new { name = "no-such-service" } });
        Assert.Equal(400, byName);
        Assert.Equal("no-such-service", byNameBody!["fields"]!["service"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deleting_a_service_with_routes_gets_400_and_keeps_both()
    {
        await _admin.PostJsonAsync("/services", new { name = _name, host = "h.internal" });
        await _admin.PostJsonAsync($"/services/{_name}/routes", new { name = _name + "-r", paths = new[] { "/keep" } });
        using var response = await _admin.DeleteAsync($"/services/{_name}");
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("an existing 'routes' entity references this 'services' entity", body!["message"]!.GetValue<string>());
        Assert.Equal(200, (await _admin.GetJsonAsync($"/services/{_name}")).Status);
        Assert.Equal(200, (await _admin.GetJsonAsync($"/routes/{_name}-r")).Status);
    }

    [Fact]
    public async Task Nested_route_endpoints_are_scoped_to_their_service()
    {
        await _admin.PostJsonAsync("/services", new { name = _name, host = "h.internal" });
        await _admin.PostJsonAsync("/services", new { name = _name + "-other", host = "h.internal" });
        var (_, route) = await _admin.PostJsonAsync($"/services/{_name}/routes", new { name = _name + "-r", paths = new[] { "/n" } });
        Assert.Equal(200, (await _admin.GetJsonAsync($"/services/{_name}/routes/{_name}-r")).Status);
        Assert.Equal(404, (await _admin.GetJsonAsync($"/services/{_name}-other/routes/{_name}-r")).Status);
        var (_, service) = await _admin.GetJsonAsync($"/routes/{route!["id"]}/service");
        Assert.Equal(_name, service!["name"]!.GetValue<string>());
        Assert.Equal(404, (await _admin.GetJsonAsync("/services/nope/routes")).Status);
    }

    [Fact]
    public async Task Unknown_paths_get_404_and_wrong_methods_405_as_json()
    {
        var (status, body) = await _admin.GetJsonAsync("/no-such-endpoint");
        Assert.Equal((404, "Not found"), (status, body!["message"]!.GetValue<string>()));
        var (methodStatus, methodBody) = await _admin.SendJsonAsync(HttpMethod.Delete, "/services");
        Assert.Equal((405, "Method not allowed"), (methodStatus, methodBody!["message"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Node_info_and_status_describe_the_edge()
    {
        var (_, info) = await _admin.GetJsonAsync("/");
        Assert.Equal("Welcome to turnpike", info!["tagline"]!.GetValue<string>());
        Assert.NotNull(info["plugins"]!["available_on_server"]!["correlation-id"]);
        var (_, status) = await _admin.GetJsonAsync("/status");

        // What Kong's clients gate on: a Kong 3 version at or above what the ingress controller needs, and the database.
        var kong = Version.Parse(info["version"]!.GetValue<string>());
        Assert.True(kong >= new Version(3, 4, 1), kong.ToString());
        Assert.Equal("off", info["configuration"]!["database"]!.GetValue<string>()); // --dev: in-memory state, Kong's DB-less value
        Assert.Matches(@"^\d+\.\d+\.\d+$", info["turnpike_version"]!.GetValue<string>());
        Assert.True(status!["database"]!["reachable"]!.GetValue<bool>());
        Assert.True(status["configuration_version"]!.GetValue<long>() >= 0);
    }

    [Fact]
    public async Task Plugins_are_created_listed_and_refused_when_unknown()
    {
        var (unknown, unknownBody) = await _admin.PostJsonAsync("/plugins", new { name = "no-such-plugin" });
        Assert.Equal(400, unknown);
        Assert.Equal("plugin 'no-such-plugin' not enabled; add it to the 'plugins' configuration property", unknownBody!["fields"]!["name"]!.GetValue<string>());

        await _admin.PostJsonAsync("/services", new { name = _name, host = "h.internal" });
        var (created, plugin) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "correlation-id", config = new { header_name = "X-Req" } });
        Assert.Equal(201, created);
        Assert.Equal(("X-Req", false), (plugin!["config"]!["header_name"]!.GetValue<string>(), plugin["config"]!["echo_downstream"]!.GetValue<bool>()));
        var (dup, _) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "correlation-id" });
        Assert.Equal(409, dup);
        var (badConfig, badBody) = await _admin.PostJsonAsync("/plugins", new { name = "request-termination", config = new { status_code = 42 } });
        Assert.Equal(400, badConfig);
        Assert.Equal("value should be between 100 and 599", badBody!["fields"]!["config"]!["status_code"]!.GetValue<string>());
        var (_, list) = await _admin.GetJsonAsync($"/services/{_name}/plugins");
        Assert.Single(list!["data"]!.AsArray());
        var (_, patched) = await _admin.SendJsonAsync(HttpMethod.Patch, $"/plugins/{plugin["id"]}", new { config = new { echo_downstream = true } });
        Assert.Equal(("X-Req", true), (patched!["config"]!["header_name"]!.GetValue<string>(), patched["config"]!["echo_downstream"]!.GetValue<bool>()));
    }
}
