using System.Text.Json.Nodes;
using Turnpike.Edge.Admin;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Plugins.CorrelationId;
using Turnpike.Edge.Plugins.RequestTermination;
using Turnpike.Edge.Schema;
using Turnpike.RouteTable;
using Xunit;

namespace Turnpike.Tests.Admin;

[Fast]
public sealed class SchemaTests
{
    private static readonly PluginRegistry Plugins = new([new CorrelationIdPlugin(), new RequestTerminationPlugin()]);

    private static (GatewayEntity? Entity, IReadOnlyDictionary<string, string> Errors) Read(IEntitySchema schema, string json, bool coerce = false)
    {
        var errors = new FieldErrors();
        var entity = schema.Read(JsonNode.Parse(json)!.AsObject(), errors, coerce);
        return (entity, errors.All);
    }

    [Fact]
    public void Service_url_shorthand_sets_protocol_host_port_and_path()
    {
        var (entity, errors) = Read(new ServiceSchema(), """{"name":"billing","url":"https://billing.internal:8443/v1"}""");
        var service = Assert.IsType<ServiceEntity>(entity);
        Assert.Empty(errors);
        Assert.Equal(("https", "billing.internal", 8443, "/v1"), (service.Protocol, service.Host, service.Port, service.Path));
        Assert.Equal((5, 60000, true), (service.Retries, service.ReadTimeout, service.Enabled));
    }

    [Fact]
    public void Service_without_host_is_a_schema_violation()
    {
        var (entity, errors) = Read(new ServiceSchema(), """{"name":"x"}""");
        Assert.Null(entity);
        Assert.Equal("required field missing", errors["host"]);
    }

    [Theory]
    [InlineData("""{"host":"h","port":70000}""", "port", "value should be between 0 and 65535")]
    [InlineData("""{"host":"h","port":"80"}""", "port", "expected an integer")]
    [InlineData("""{"host":"h","protocol":"ftp"}""", "protocol", "expected one of: http, https, grpc, grpcs")]
    [InlineData("""{"host":"h","name":"bad name"}""", "name", "invalid value 'bad name': the only accepted ascii characters are alphanumerics or ., -, _, and ~")]
    [InlineData("""{"host":"h","path":"relative"}""", "path", "should start with: /")]
    [InlineData("""{"host":"h","colour":"red"}""", "colour", "unknown field")]
    [InlineData("""{"host":"bad host!"}""", "host", "invalid hostname: bad host!")]
    [InlineData("""{"host":"h","connect_timeout":0}""", "connect_timeout", "value should be between 1 and 2147483646")]
    [InlineData("""{"host":"h","enabled":"yes"}""", "enabled", "expected a boolean")]
    public void Service_field_errors_name_the_field_in_Kong_words(string json, string field, string message)
    {
        var (entity, errors) = Read(new ServiceSchema(), json);
        Assert.Null(entity);
        Assert.Equal(message, errors[field]);
    }

    [Fact]
    public void Route_needs_at_least_one_matching_condition()
    {
        var (entity, errors) = Read(new RouteSchema(), """{"name":"r"}""");
        Assert.Null(entity);
        Assert.Equal("must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'", errors["@entity"]);
    }

    [Theory]
    [InlineData("""{"paths":["api"]}""", "paths[0]", "should start with: / (fixed path) or ~/ (regex path)")]
    [InlineData("""{"paths":["/a//b"]}""", "paths[0]", "must not have empty segments")]
    [InlineData("""{"hosts":["*.a.*"]}""", "hosts[0]", "invalid wildcard: must have at most one wildcard")]
    [InlineData("""{"hosts":["a.*.com"]}""", "hosts[0]", "invalid wildcard: must be placed at leftmost or rightmost label")]
    [InlineData("""{"methods":["get"]}""", "methods[0]", "invalid value: get")]
    [InlineData("""{"headers":{"host":["a"]}}""", "headers", "cannot contain 'host' header, which must be specified in the 'hosts' attribute")]
    [InlineData("""{"paths":["/a"],"path_handling":"v2"}""", "path_handling", "expected one of: v0, v1")]
    [InlineData("""{"paths":["/a"],"https_redirect_status_code":404}""", "https_redirect_status_code", "expected one of: 426, 301, 302, 307, 308")]
    [InlineData("""{"paths":["/a"],"service":{"id":"nope"}}""", "service.id", "expected a valid UUID")]
    [InlineData("""{"paths":["/a"],"protocols":["tcp"]}""", "protocols[0]", "expected one of: http, https, grpc, grpcs")]
    public void Route_field_errors_name_the_field_in_Kong_words(string json, string field, string message)
    {
        var (entity, errors) = Read(new RouteSchema(), json);
        Assert.Null(entity);
        Assert.Equal(message, errors[field]);
    }

    [Fact]
    public void Route_with_an_invalid_regex_is_refused()
    {
        var (entity, errors) = Read(new RouteSchema(), """{"paths":["~/a(b"]}""");
        Assert.Null(entity);
        Assert.StartsWith("invalid regex: '/a(b'", errors["paths[0]"]);
    }

    [Fact]
    public void Form_encoded_values_are_coerced_to_the_field_types()
    {
        var json = AdminRequestBody.FromForm([("name", "r"), ("paths[]", "/a"), ("paths[]", "/b"), ("strip_path", "false"), ("regex_priority", "3"), ("methods", "GET"), ("service.id", "6b2b6c4e-54a1-4c56-9f0e-0d2b3b1d0a11"), ("headers.x-env", "prod")]);
        var (entity, errors) = Read(new RouteSchema(), json.ToJsonString(), coerce: true);
        Assert.Empty(errors);
        var route = Assert.IsType<RouteEntity>(entity);
        Assert.Equal(["/a", "/b"], route.Paths!);
        Assert.Equal(["GET"], route.Methods!);
        Assert.False(route.StripPath);
        Assert.Equal(3, route.RegexPriority);
        Assert.Equal(new Guid("6b2b6c4e-54a1-4c56-9f0e-0d2b3b1d0a11"), route.ServiceId);
        Assert.Equal(["prod"], route.Headers!["x-env"]);
    }

    [Fact]
    public void Form_indexes_keep_their_positions()
    {
        var json = AdminRequestBody.FromForm([("paths[2]", "/second"), ("paths[1]", "/first")]);
        Assert.Equal("""{"paths":["/first","/second"]}""", json.ToJsonString());
    }

    [Fact]
    public void Plugin_with_unknown_name_is_refused()
    {
        var (entity, errors) = Read(new PluginSchema(Plugins), """{"name":"no-such-plugin"}""");
        Assert.Null(entity);
        Assert.Equal("plugin 'no-such-plugin' not enabled; add it to the 'plugins' configuration property", errors["name"]);
    }

    [Fact]
    public void Plugin_config_is_validated_by_the_plugin_and_filled_with_defaults()
    {
        var (bad, errors) = Read(new PluginSchema(Plugins), """{"name":"request-termination","config":{"status_code":99}}""");
        Assert.Null(bad);
        Assert.Equal("value should be between 100 and 599", errors["config.status_code"]);

        var (good, _) = Read(new PluginSchema(Plugins), """{"name":"correlation-id"}""");
        var config = JsonNode.Parse(Assert.IsType<PluginEntity>(good).Config)!;
        Assert.Equal("Kong-Request-ID", config["header_name"]!.GetValue<string>());
        Assert.Equal("uuid#counter", config["generator"]!.GetValue<string>());
    }

    [Fact]
    public void Field_error_paths_expand_into_nested_json_as_Kong_reports_them()
    {
        var fields = AdminJson.ExpandFields(new Dictionary<string, string>
        {
            ["services[1].routes[0].paths[0]"] = "bad path",
            ["service.id"] = "expected a valid UUID",
            ["@entity"] = "must set one",
        });
        Assert.Equal(
            """{"@entity":["must set one"],"service":{"id":"expected a valid UUID"},"services":[null,{"routes":[{"paths":["bad path"]}]}]}""",
            fields.ToJsonString());
    }
}
