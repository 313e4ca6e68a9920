using System.Text.Json.Nodes;
using Turnpike.Edge.Admin.Declarative;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Plugins.CorrelationId;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Admin;

/// <summary>Kong's <c>flatten_errors</c>: a refused file's errors listed per entity, with the name, id and tags the ingress controller maps them back by.</summary>
[Fast]
public sealed class DeclarativeFlattenedErrorsTests
{
    private static readonly DeclarativeConfig Config = new(TestSchemas.Create(new PluginRegistry([new CorrelationIdPlugin()])));

    private static JsonObject Flattened(string file)
    {
        var read = Config.Parse(file);
        Assert.NotNull(read.Error);
        return DeclarativeErrorFlattener.ErrorBody(read);
    }

    private static JsonObject ByTag(JsonObject body, string tag) =>
        Assert.Single(body["flattened_errors"]!.AsArray(), e => e!["entity"]!["tags"]?.AsArray().FirstOrDefault()?.GetValue<string>() == tag)!.AsObject();

    [Fact]
    public void Each_invalid_entity_is_listed_once_with_its_errors_and_nothing_is_left_in_fields()
    {
        var body = Flattened("""
            _format_version: "3.0"
            services:
            - name: orders
              id: 0175e0e8-3de9-56b4-96f1-b12dcb4b6691
              url: http://127.0.0.1:9000
              tags: [service-01]
              routes:
              - name: bad-route
                paths: [nope, /ok]
                tags: [route-01, k8s-name:orders]
              plugins:
              - name: correlation-id
                config: { not_a_field: 1 }
                tags: [plugin-01]
            - name: no-host
              tags: [service-02]
            consumers:
            - username: alice
              tags: [consumer-01]
              keyauth_credentials:
              - key: k-1
                extra_field: "NO!"
                tags: [credential-01]
            """);

        Assert.Equal(14, body["code"]!.GetValue<int>());
        Assert.Equal("invalid declarative configuration", body["name"]!.GetValue<string>());
        Assert.Equal("declarative config is invalid: {}", body["message"]!.GetValue<string>());
        Assert.Empty(body["fields"]!.AsObject());
        Assert.Equal(4, body["flattened_errors"]!.AsArray().Count);

        var route = ByTag(body, "route-01");
        Assert.Equal("route", route["entity_type"]!.GetValue<string>());
        Assert.Equal("bad-route", route["entity_name"]!.GetValue<string>());
        Assert.Equal(["route-01", "k8s-name:orders"], route["entity_tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Null(route["entity_id"]);
        var error = Assert.Single(route["errors"]!.AsArray())!;
        Assert.Equal(("field", "paths.1", "should start with: / (fixed path) or ~/ (regex path)"),
            (error["type"]!.GetValue<string>(), error["field"]!.GetValue<string>(), error["message"]!.GetValue<string>()));
        // The parent gave an id, so its child carries the key to it, as Kong's entity does.
        Assert.Equal("0175e0e8-3de9-56b4-96f1-b12dcb4b6691", route["entity"]!["service"]!["id"]!.GetValue<string>());

        var plugin = ByTag(body, "plugin-01");
        Assert.Equal(("plugin", "correlation-id"), (plugin["entity_type"]!.GetValue<string>(), plugin["entity_name"]!.GetValue<string>()));
        Assert.Equal("config.not_a_field", Assert.Single(plugin["errors"]!.AsArray())!["field"]!.GetValue<string>());

        var service = ByTag(body, "service-02");
        Assert.Equal(("service", "no-host"), (service["entity_type"]!.GetValue<string>(), service["entity_name"]!.GetValue<string>()));
        Assert.Equal("host", Assert.Single(service["errors"]!.AsArray())!["field"]!.GetValue<string>());

        var credential = ByTag(body, "credential-01");
        Assert.Equal("keyauth_credential", credential["entity_type"]!.GetValue<string>());
        Assert.Equal(("extra_field", "unknown field"),
            (credential["errors"]![0]!["field"]!.GetValue<string>(), credential["errors"]![0]!["message"]!.GetValue<string>()));
        Assert.Equal("NO!", credential["entity"]!["extra_field"]!.GetValue<string>());

        // The valid parent is not listed, and a listed entity's entry leaves out what nests under it.
        Assert.DoesNotContain(body["flattened_errors"]!.AsArray(), e => e!["entity_name"]?.GetValue<string>() == "orders");
        Assert.DoesNotContain(body["flattened_errors"]!.AsArray(), e => e!["entity"]!["routes"] is not null || e["entity"]!["keyauth_credentials"] is not null);
    }

    [Fact]
    public void Errors_outside_any_entity_stay_in_fields()
    {
        var body = Flattened("""
            _format_version: "3.0"
            abnormal_extra_field: 123
            services:
            - name: no-host
              tags: [service-01]
            """);

        Assert.Equal("unknown field", body["fields"]!["abnormal_extra_field"]!.GetValue<string>());
        Assert.Equal("declarative config is invalid: {\"abnormal_extra_field\":\"unknown field\"}", body["message"]!.GetValue<string>());
        Assert.Equal("service", Assert.Single(body["flattened_errors"]!.AsArray())!["entity_type"]!.GetValue<string>());
    }

    [Fact]
    public void Entity_level_errors_have_no_field_and_ill_formed_names_ids_and_tags_are_left_out()
    {
        var body = Flattened("""
            _format_version: "3.0"
            services:
            - name: ""
              id: 1234
              protocol: tcp
              host: example.test
              path: /not-for-tcp
              tags: [service-01, [1.5]]
            """);

        var entry = Assert.Single(body["flattened_errors"]!.AsArray())!.AsObject();
        Assert.Null(entry["entity_name"]);
        Assert.Null(entry["entity_id"]);
        Assert.Null(entry["entity_tags"]);
        Assert.Equal(1234, entry["entity"]!["id"]!.GetValue<long>());
        Assert.Contains(entry["errors"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "field" && e["field"]!.GetValue<string>() == "id");
    }

    [Fact]
    public void A_reference_to_nothing_is_reported_on_the_entity_that_makes_it()
    {
        var body = Flattened("""
            _format_version: "3.0"
            plugins:
            - name: correlation-id
              service: 5f0e4b8e-1111-4222-8333-944445555666
              tags: [plugin-01]
            """);

        var entry = ByTag(body, "plugin-01");
        var error = Assert.Single(entry["errors"]!.AsArray())!;
        Assert.Equal("service.id", error["field"]!.GetValue<string>());
        Assert.Contains("does not reference an existing 'services' entity", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void File_that_is_not_a_document_has_nothing_to_flatten()
    {
        var read = Config.Parse("_format_version: \"3.0\"\nservices: [ {name: a");

        Assert.False(read.Parsed);
        Assert.StartsWith("failed parsing declarative configuration", read.Error!.Fields!["@entity"], StringComparison.Ordinal);
    }
}
