using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>An edge started with <c>--config gateway.yml</c>; its own process, since POST /config replaces the whole table.</summary>
public sealed class DeclarativeConfigEndToEndTests : IAsyncLifetime
{
    private UpstreamServer _upstream = null!;
    private EdgeNode _edge = null!;
    private string _file = null!;

    public async Task InitializeAsync()
    {
        _upstream = await UpstreamServer.StartAsync();
        _file = Path.Combine(Path.GetTempPath(), $"turnpike-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(_file, $"""
            _format_version: "3.0"
            services:
            - name: orders
              url: {_upstream.Url}/orders-api
              routes:
              - name: orders-route
                paths: [/orders]
              plugins:
              - name: correlation-id
                config: {"{"} header_name: X-Order-Trace, echo_downstream: true {"}"}
            """);
        _edge = await EdgeNode.StartDevAsync("--config", _file);
    }

    public async Task DisposeAsync()
    {
        if (_edge is not null)
        {
            await _edge.DisposeAsync();
        }

        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }

        File.Delete(_file);
    }

    [Fact]
    public async Task File_given_at_start_is_served_and_exported()
    {
        using var response = await _edge.Proxy.GetAsync("/orders/42");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"path\":\"/orders-api/42\"", await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.Contains("X-Order-Trace"));

        var (status, exported) = await _edge.Admin.GetJsonAsync("/config");
        Assert.Equal(200, status);
        var yaml = exported!["config"]!.GetValue<string>();
        Assert.Contains("_format_version: \"3.0\"", yaml);
        Assert.Contains("name: orders-route", yaml);
        Assert.Contains("header_name: X-Order-Trace", yaml);
    }

    [Fact]
    public async Task Posted_config_replaces_the_table_and_an_invalid_one_changes_nothing()
    {
        var before = await _edge.Admin.GetJsonAsync("/config");
        using var invalid = new StringContent("_format_version: \"3.0\"\nservices:\n- name: broken\n  routes:\n  - paths: [/x]\n", Encoding.UTF8, "application/yaml");
        using var refused = await _edge.Admin.PostAsync("/config", invalid);
        var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal((14, "invalid declarative configuration"), (error["code"]!.GetValue<int>(), error["name"]!.GetValue<string>()));
        Assert.Equal("required field missing", error["fields"]!["services"]![0]!["host"]!.GetValue<string>());
        Assert.Equal(before.Body!.ToJsonString(), (await _edge.Admin.GetJsonAsync("/config")).Body!.ToJsonString());

        var replacement = new { config = $"_format_version: \"3.0\"\nservices:\n- name: users\n  url: {_upstream.Url}\n  routes:\n  - name: users-route\n    paths: [/users]\n" };
        var (status, body) = await _edge.Admin.PostJsonAsync("/config", replacement);
        Assert.Equal(201, status);
        Assert.Single(body!["services"]!.AsObject());
        using var users = await _edge.Proxy.EventuallyAsync("/users", r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        using var orders = await _edge.Proxy.EventuallyAsync("/orders", r => r.StatusCode == HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, orders.StatusCode);
        Assert.Equal(404, (await _edge.Admin.GetJsonAsync("/services/orders")).Status);
    }

    /// <summary>How the ingress controller sends a file: its JSON as a string under <c>config</c>, with both flags.</summary>
    private async Task<(int Status, string Body, string? Version)> PostAsControllerAsync(string file)
    {
        using var content = new StringContent(new JsonObject { ["config"] = file }.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _edge.Admin.PostAsync("/config?check_hash=1&flatten_errors=1", content);
        var version = response.Headers.TryGetValues("X-Turnpike-Config-Version", out var values) ? values.Single() : null;
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), version);
    }

    [Fact]
    public async Task Posting_the_running_config_again_with_check_hash_answers_304_and_reloads_nothing()
    {
        var file = new JsonObject
        {
            ["_format_version"] = "3.0",
            ["services"] = new JsonArray(new JsonObject
            {
                ["name"] = "hashed",
                ["url"] = _upstream.Url,
                ["routes"] = new JsonArray(new JsonObject { ["name"] = "hashed-route", ["paths"] = new JsonArray("/hashed") }),
            }),
        }.ToJsonString();

        var (created, _, createdVersion) = await PostAsControllerAsync(file);
        var (again, body, answeredVersion) = await PostAsControllerAsync(file);

        // The second answer names the version the first one wrote: nothing was written in between.
        Assert.Equal((201, 304), (created, again));
        Assert.Equal("", body);
        Assert.Equal(createdVersion, answeredVersion);
        var (changed, _, _) = await PostAsControllerAsync(file.Replace("/hashed", "/hashed-v2", StringComparison.Ordinal));
        Assert.Equal(201, changed);
        using var moved = await _edge.Proxy.EventuallyAsync("/hashed-v2", r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
    }

    [Fact]
    public async Task Invalid_config_with_flatten_errors_lists_each_entity_by_its_tags_and_changes_nothing()
    {
        var before = (await _edge.Admin.GetJsonAsync("/config")).Body!.ToJsonString();
        var file = new JsonObject
        {
            ["_format_version"] = "3.0",
            ["services"] = new JsonArray(new JsonObject
            {
                ["name"] = "default.orders.80",
                ["url"] = _upstream.Url,
                ["tags"] = new JsonArray("k8s-name:orders", "k8s-kind:Service"),
                ["routes"] = new JsonArray(new JsonObject
                {
                    ["name"] = "default.orders.orders..80",
                    ["paths"] = new JsonArray("orders"),
                    ["tags"] = new JsonArray("k8s-name:orders", "k8s-kind:Ingress"),
                }),
            }),
        }.ToJsonString();

        var (status, text, _) = await PostAsControllerAsync(file);

        Assert.Equal(400, status);
        var body = JsonNode.Parse(text)!;
        Assert.Equal((14, "invalid declarative configuration"), (body["code"]!.GetValue<int>(), body["name"]!.GetValue<string>()));
        Assert.Empty(body["fields"]!.AsObject());
        var entry = Assert.Single(body["flattened_errors"]!.AsArray())!;
        Assert.Equal(("route", "default.orders.orders..80"), (entry["entity_type"]!.GetValue<string>(), entry["entity_name"]!.GetValue<string>()));
        Assert.Equal(["k8s-name:orders", "k8s-kind:Ingress"], entry["entity_tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("""[{"type":"field","field":"paths.1","message":"should start with: / (fixed path) or ~/ (regex path)"}]""", entry["errors"]!.ToJsonString());
        Assert.Equal(before, (await _edge.Admin.GetJsonAsync("/config")).Body!.ToJsonString());
    }

    [Fact]
    public async Task Format_1_1_file_with_legacy_regex_paths_is_served_with_tilde_paths_and_the_migration_is_logged()
    {
        var file = $"""
            _format_version: "1.1"
            _comment:
              shared: &owners [team-users]
            services:
            - name: users
              url: {_upstream.Url}
              tags: *owners
              routes:
              - name: user-by-id
                paths: ['/users/\d+$']
                strip_path: false
                tags: *owners
            """;
        using var content = new StringContent(file, Encoding.UTF8, "application/yaml");
        using var response = await _edge.Admin.PostAsync("/config", content);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        using var byId = await _edge.Proxy.EventuallyAsync("/users/42", r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, byId.StatusCode);
        using var notAnId = await _edge.Proxy.GetAsync("/users/abc");
        Assert.Equal(HttpStatusCode.NotFound, notAnId.StatusCode);
        var exported = (await _edge.Admin.GetJsonAsync("/config")).Body!["config"]!.GetValue<string>();
        Assert.Contains(@"- ~/users/\d+$", exported, StringComparison.Ordinal);
        await Poll.UntilAsync(() => Task.FromResult(_edge.Process.Output.Contains("DeclarativeConfig[2210]", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the migration's log line");
        Assert.Contains(@"_format_version 1.1 read as 3.0: 1 route paths rewritten", _edge.Process.Output, StringComparison.Ordinal);
    }
}
