using System.Text.Json.Nodes;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// Kong's <c>plugins</c> schema. The <c>config</c> record is read by the named plugin's own declaration
/// (<see cref="IGatewayPlugin.ReadConfig"/>), so its errors land at <c>config.*</c> as Kong's do.
/// </summary>
internal sealed class PluginSchema : EntitySchema<PluginEntity>
{
    private static readonly string[] AllProtocols = ["grpc", "grpcs", "http", "https"];

    private static readonly ConfigField<string?> Name = Field.String("name", required: true);
    private static readonly ConfigField<string?> InstanceName = Field.String("instance_name").Check(n => FieldRules.Name(n!)).Described("unique", true);
    private static readonly ConfigField<Guid?> Service = Field.Foreign("service", EntityKind.Service.TableName());
    private static readonly ConfigField<Guid?> Route = Field.Foreign("route", EntityKind.Route.TableName());
    private static readonly ConfigField<Guid?> Consumer = Field.Foreign("consumer", EntityKind.Consumer.TableName());
    private static readonly ConfigField<string[]> Protocols = Field.Strings("protocols", oneOf: AllProtocols, set: true).Default(AllProtocols);
    private static readonly ConfigField<bool> Enabled = Field.Boolean("enabled").Default(true);

    private readonly ConfigField<JsonObject?> _config;

    public PluginSchema(PluginRegistry registry)
        : this(registry, Config(registry))
    {
    }

    private PluginSchema(PluginRegistry registry, ConfigField<JsonObject?> config)
        : base([PluginName(registry), InstanceName, config, Service, Route, Consumer, Protocols, Enabled])
    {
        _config = config;
    }

    public override EntityKind Kind => EntityKind.Plugin;

    public override string NameField => "instance_name";

    public override JsonObject Write(GatewayEntity entity)
    {
        var p = (PluginEntity)entity;
        var json = new JsonObject
        {
            ["id"] = p.Id.ToString(),
            ["name"] = p.Name,
            ["instance_name"] = p.InstanceName,
            ["route"] = JsonFields.Reference(p.RouteId),
            ["service"] = JsonFields.Reference(p.ServiceId),
            ["consumer"] = JsonFields.Reference(p.ConsumerId),
            ["config"] = JsonNode.Parse(p.Config),
            ["protocols"] = JsonFields.Array(p.Protocols),
            ["enabled"] = p.Enabled,
        };
        JsonFields.WriteCommon(json, p);
        return json;
    }

    protected override PluginEntity Bind(ConfigValues values) => new()
    {
        Name = values.Get(Name)!,
        InstanceName = values.Get(InstanceName),
        ServiceId = values.Get(Service),
        RouteId = values.Get(Route),
        ConsumerId = values.Get(Consumer),
        Config = values.Get(_config)?.ToJsonString() ?? "{}",
        Protocols = values.Get(Protocols),
        Enabled = values.Get(Enabled),
    };

    /// <summary>The plugin's name: one this gateway has (Kong's wording for any other).</summary>
    private static ConfigField<string?> PluginName(PluginRegistry registry) =>
        Name.Check(n => registry.Find(n!) is null ? $"plugin '{n}' not enabled; add it to the 'plugins' configuration property" : null);

    /// <summary>The <c>config</c> record, read by the named plugin's declaration with its defaults filled in; empty when absent.</summary>
    private static ConfigField<JsonObject?> Config(PluginRegistry registry) => Field.Custom<JsonObject>("config", Field.Describe("record", true), (r, values) =>
    {
        var config = r.Object("config") ?? [];
        return values.Get(Name) is { } name && registry.Find(name) is { } plugin
            ? plugin.ReadConfig(new FieldReader(config, r.Errors, r.PathOf("config."), r.Coerce))
            : null;
    }, n => n.AsObject());
}
