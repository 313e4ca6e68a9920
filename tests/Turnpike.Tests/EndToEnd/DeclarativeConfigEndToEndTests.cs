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
}
