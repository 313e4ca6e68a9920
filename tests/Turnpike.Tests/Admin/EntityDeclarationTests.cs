using System.Text.Json.Nodes;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Plugins.CorrelationId;
using Turnpike.Edge.Schema;
using Turnpike.Edge.Upstreams;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Admin;

/// <summary>Entity schemas declared with the plugin configuration machinery: one declaration gives validation, the entity and Kong's schema JSON.</summary>
[Fast]
public sealed class EntityDeclarationTests
{
    private static readonly EntitySchemas Schemas = TestSchemas.Create(new PluginRegistry([new CorrelationIdPlugin()]));

    private static JsonObject FieldOf(JsonObject schema, string name) =>
        schema["fields"]!.AsArray().Select(f => f!.AsObject()).Single(f => f.ContainsKey(name))[name]!.AsObject();

    public static TheoryData<EntityKind> Kinds() => [.. Enum.GetValues<EntityKind>()];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_kind_describes_id_and_timestamps_first_and_tags_last(EntityKind kind)
    {
        var names = Schemas.For(kind).Describe()["fields"]!.AsArray().Select(f => f!.AsObject().Single().Key).ToList();
        Assert.Equal(["id", "created_at", "updated_at"], names.Take(3));
        Assert.Equal("tags", names[^1]);
        Assert.Same(Schemas.For(kind), Schemas.Find(kind.TableName()));
    }

    [Fact]
    public void Foreign_keys_are_the_declared_foreign_fields()
    {
        Assert.Equal([("service", EntityKind.Service)], Schemas.For(EntityKind.Route).ForeignKeys);
        Assert.Equal([("service", EntityKind.Service), ("route", EntityKind.Route), ("consumer", EntityKind.Consumer)], Schemas.For(EntityKind.Plugin).ForeignKeys);
        Assert.Equal([("consumer", EntityKind.Consumer)], Schemas.For(EntityKind.JwtCredential).ForeignKeys);
        Assert.Equal([("client_certificate", EntityKind.Certificate)], Schemas.For(EntityKind.Service).ForeignKeys);
        Assert.Equal("services", FieldOf(Schemas.For(EntityKind.Route).Describe(), "service")["reference"]!.GetValue<string>());
    }

    [Fact]
    public void Services_schema_states_Kongs_defaults_and_bounds()
    {
        var schema = Schemas.For(EntityKind.Service).Describe();
        Assert.True(FieldOf(schema, "host")["required"]!.GetValue<bool>());
        Assert.Equal(80, FieldOf(schema, "port")["default"]!.GetValue<int>());
        Assert.Equal("[0,65535]", FieldOf(schema, "port")["between"]!.ToJsonString());
        Assert.Equal("""["http","https","grpc","grpcs"]""", FieldOf(schema, "protocol")["one_of"]!.ToJsonString());
        Assert.True(FieldOf(schema, "name")["unique"]!.GetValue<bool>());
        Assert.DoesNotContain(schema["fields"]!.AsArray(), f => f!.AsObject().ContainsKey("url"));
    }

    [Fact]
    public void Url_shorthand_is_validated_by_the_fields_it_stands_for()
    {
        var errors = new FieldErrors();
        Assert.Null(Schemas.For(EntityKind.Service).Read(JsonNode.Parse("""{"url":"ftp://files.internal:21/x"}""")!.AsObject(), errors, coerce: false));
        Assert.Equal("expected one of: http, https, grpc, grpcs", errors.All["protocol"]);
        Assert.False(errors.All.ContainsKey("url"));

        errors = new FieldErrors();
        Assert.Null(Schemas.For(EntityKind.Service).Read(JsonNode.Parse("""{"url":"not a url"}""")!.AsObject(), errors, coerce: false));
        Assert.Equal(["url"], errors.All.Keys);
    }

    [Fact]
    public void Every_error_of_a_body_is_reported_at_once()
    {
        var errors = new FieldErrors();
        Schemas.For(EntityKind.Route).Read(
            JsonNode.Parse("""{"id":"nope","protocols":["http","grpc"],"https_redirect_status_code":303,"path_handling":"v2","color":"red","tags":[1]}""")!.AsObject(),
            errors,
            coerce: false);
        Assert.Equal(
            ["color", "https_redirect_status_code", "id", "path_handling", "protocols", "tags[0]"],
            errors.All.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Upstream_health_checks_are_stored_with_every_default_and_bound_by_the_same_declaration()
    {
        var errors = new FieldErrors();
        var upstream = (UpstreamEntity)Schemas.For(EntityKind.Upstream).Read(
            JsonNode.Parse("""{"name":"api","healthchecks":{"passive":{"unhealthy":{"http_failures":3}}}}""")!.AsObject(), errors, coerce: false)!;
        Assert.Empty(errors.All);
        var stored = JsonNode.Parse(upstream.Healthchecks!)!;
        Assert.Equal("/", stored["active"]!["http_path"]!.GetValue<string>());
        Assert.Equal("[429,500,503]", stored["passive"]!["unhealthy"]!["http_statuses"]!.ToJsonString());

        var settings = HealthCheckSettings.Parse(upstream.Healthchecks!);
        Assert.True(settings.PassiveOn);
        Assert.False(settings.ActiveOn);
        Assert.Equal(3, settings.Passive.Unhealthy.HttpFailures);
        Assert.Equal([200, 302], settings.Active.Healthy.HttpStatuses);
    }

    [Fact]
    public void Health_check_types_other_than_http_are_refused_at_both_levels()
    {
        var errors = new FieldErrors();
        Schemas.For(EntityKind.Upstream).Read(
            JsonNode.Parse("""{"name":"api","healthchecks":{"active":{"type":"tcp"},"passive":{"type":"tcp"}}}""")!.AsObject(), errors, coerce: false);
        Assert.Equal("not supported yet: only http", errors.All["healthchecks.active.type"]);
        Assert.Equal("not supported yet: only http", errors.All["healthchecks.passive.type"]);
    }
}
