using Turnpike.Edge.Admin.Declarative;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Plugins.CorrelationId;
using Turnpike.Edge.Plugins.RequestTermination;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Admin;

[Fast]
public sealed class DeclarativeConfigTests
{
    private static readonly PluginRegistry Plugins = new([new CorrelationIdPlugin(), new RequestTerminationPlugin()]);
    private static readonly DeclarativeConfig Config = new(TestSchemas.Create(Plugins));

    private const string File = """
        _format_version: "3.0"
        services:
        - name: billing
          url: http://127.0.0.1:9000/api
          routes:
          - name: billing-route
            paths: [/billing]
            strip_path: true
          plugins:
          - name: correlation-id
            config: { echo_downstream: true }
        routes:
        - name: orphan-ref
          service: billing
          hosts: [billing.test]
        plugins:
        - name: correlation-id
          route: billing-route
        """;

    [Fact]
    public void Kong_format_file_becomes_one_table_replacing_write()
    {
        var (write, error) = Config.Read(File);
        Assert.Null(error);
        Assert.True(write!.ReplaceAll);
        var service = Assert.Single(write.Upserts.OfType<ServiceEntity>());
        Assert.Equal(("billing", 9000, "/api"), (service.Name, service.Port, service.Path));
        var routes = write.Upserts.OfType<RouteEntity>().ToList();
        Assert.All(routes, r => Assert.Equal(service.Id, r.ServiceId));
        var plugins = write.Upserts.OfType<PluginEntity>().ToList();
        Assert.Contains(plugins, p => p.ServiceId == service.Id && p.Config.Contains("\"echo_downstream\":true", StringComparison.Ordinal));
        Assert.Contains(plugins, p => p.RouteId == routes.Single(r => r.Name == "billing-route").Id);
    }

    [Fact]
    public void Consumers_with_their_plugins_are_read_and_exported_back_in_Kong_format()
    {
        const string file = """
            _format_version: "3.0"
            consumers:
            - username: alice
              custom_id: crm-1
              keyauth_credentials:
              - key: alice-key
              acls:
              - group: gold
              jwt_secrets:
              - key: alice-issuer
                secret: alice-secret
              plugins:
              - name: correlation-id
            - custom_id: crm-2
            plugins:
            - name: request-termination
              instance_name: alice-blocked
              consumer: alice
              config: { status_code: 403 }
            """;
        var (write, error) = Config.Read(file);
        Assert.Null(error?.Message);
        var consumers = write!.Upserts.OfType<ConsumerEntity>().ToList();
        var alice = consumers.Single(c => c.Username == "alice");
        Assert.Equal("crm-1", alice.CustomId);
        Assert.Contains(consumers, c => c.Username is null && c.CustomId == "crm-2");
        Assert.Equal(2, write.Upserts.OfType<PluginEntity>().Count(p => p.ConsumerId == alice.Id));
        Assert.Equal(alice.Id, Assert.Single(write.Upserts.OfType<KeyAuthCredentialEntity>(), k => k.Key == "alice-key").ConsumerId);
        Assert.Equal(alice.Id, Assert.Single(write.Upserts.OfType<AclEntity>(), a => a.Group == "gold").ConsumerId);
        Assert.Equal(alice.Id, Assert.Single(write.Upserts.OfType<JwtCredentialEntity>(), j => j.Key == "alice-issuer" && j.Secret == "alice-secret").ConsumerId);

        var exported = Config.Export(write.Upserts);
        var aliceJson = exported["consumers"]!.AsArray().Single(c => c!["username"]?.GetValue<string>() == "alice")!;
        Assert.Equal("alice-key", Assert.Single(aliceJson["keyauth_credentials"]!.AsArray())!["key"]!.GetValue<string>());
        Assert.Equal("gold", Assert.Single(aliceJson["acls"]!.AsArray())!["group"]!.GetValue<string>());
        Assert.Equal("alice-secret", Assert.Single(aliceJson["jwt_secrets"]!.AsArray())!["secret"]!.GetValue<string>());
        Assert.Equal(["correlation-id", "request-termination"], aliceJson["plugins"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).Order());
        Assert.Equal(write.Upserts.Select(e => e.Id).Order(), Config.Read(exported).Write!.Upserts.Select(e => e.Id).Order());
    }

    [Fact]
    public void Upstreams_with_their_targets_are_read_and_exported_back()
    {
        const string file = """
            _format_version: "3.0"
            upstreams:
            - name: orders.upstream
              targets:
              - target: 10.0.0.1:8080
                weight: 300
              - target: 10.0.0.2
            services:
            - name: orders
              host: orders.upstream
            """;
        var (write, error) = Config.Read(file);
        Assert.Null(error?.Message);
        var upstream = Assert.Single(write!.Upserts.OfType<UpstreamEntity>());
        var targets = write.Upserts.OfType<TargetEntity>().OrderBy(t => t.Target).ToList();
        Assert.Equal(["10.0.0.1:8080", "10.0.0.2:8000"], targets.Select(t => t.Target));
        Assert.Equal([300, 100], targets.Select(t => t.Weight));
        Assert.All(targets, t => Assert.Equal(upstream.Id, t.UpstreamId));

        var exported = Config.Export(write.Upserts);
        Assert.Equal(2, exported["upstreams"]![0]!["targets"]!.AsArray().Count);
        Assert.Equal(write.Upserts.Select(e => e.Id).Order(), Config.Read(exported).Write!.Upserts.Select(e => e.Id).Order());
    }

    [Fact]
    public void Same_file_gives_the_same_ids_every_time()
    {
        var first = Config.Read(File).Write!.Upserts.Select(e => e.Id).Order().ToList();
        var second = Config.Read(File).Write!.Upserts.Select(e => e.Id).Order().ToList();
        Assert.Equal(first, second);
    }

    [Fact]
    public void Invalid_file_is_refused_with_every_error_at_its_place()
    {
        var (write, error) = Config.Read("""
            _format_version: "3.0"
            services:
            - name: a
              host: a.internal
              routes:
              - paths: [nope]
            - name: b
            routes:
            - service: missing
              paths: [/x]
            """);
        Assert.Null(write);
        Assert.Equal(AdminError.DeclarativeConfigCode, error!.Code);
        Assert.Equal("invalid declarative configuration", error.Name);
        Assert.Equal("should start with: / (fixed path) or ~/ (regex path)", error.Fields!["services[0].routes[0].paths[0]"]);
        Assert.Equal("required field missing", error.Fields["services[1].host"]);
        Assert.Equal("could not find service 'missing'", error.Fields["routes[0].service"]);
    }

    [Theory]
    [InlineData("services: []", "_format_version", "required field missing")]
    [InlineData("_format_version: \"9.9\"", "_format_version", "expected one of: 1.1, 2.1, 3.0")]
    [InlineData("_format_version: \"3.0\"\nconsumerz: []", "consumerz", "unknown field")]
    public void File_level_mistakes_are_named(string text, string field, string message)
    {
        var (_, error) = Config.Read(text);
        Assert.Equal(message, error!.Fields![field]);
    }

    [Fact]
    public void Malformed_yaml_is_refused()
    {
        var (write, error) = Config.Read("_format_version: \"3.0\"\nservices: [ {name: a");
        Assert.Null(write);
        Assert.StartsWith("failed parsing declarative configuration", error!.Fields!["@entity"]);
    }

    [Fact]
    public void Exported_table_reads_back_to_the_same_entities()
    {
        var (write, _) = Config.Read(File);
        var yaml = YamlJson.Write(Config.Export(write!.Upserts));
        var (again, error) = Config.Read(yaml);
        Assert.Null(error);
        Assert.Equal(write.Upserts.Select(e => e.Id).Order(), again!.Upserts.Select(e => e.Id).Order());
        Assert.Equal(
            write.Upserts.OfType<RouteEntity>().OrderBy(r => r.Id).Select(r => (r.Name, r.ServiceId, string.Join(',', r.Paths ?? []), string.Join(',', r.Hosts ?? []))),
            again.Upserts.OfType<RouteEntity>().OrderBy(r => r.Id).Select(r => (r.Name, r.ServiceId, string.Join(',', r.Paths ?? []), string.Join(',', r.Hosts ?? []))));
    }
}
