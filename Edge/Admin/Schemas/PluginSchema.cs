using System.Text.Json.Nodes;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>Kong's <c>plugins</c> schema; the <c>config</c> object is read by the named plugin's own schema.</summary>
internal sealed class PluginSchema(PluginRegistry registry) : IEntitySchema
{
    private static readonly string[] AllProtocols = ["grpc", "grpcs", "http", "https"];

    public EntityKind Kind => EntityKind.Plugin;

    public string NameField => "instance_name";

    public IReadOnlyList<(string Field, EntityKind Target)> ForeignKeys =>
        [("service", EntityKind.Service), ("route", EntityKind.Route), ("consumer", EntityKind.Consumer)];

    public GatewayEntity? Read(JsonObject json, FieldErrors errors, bool coerce)
    {
        var r = new FieldReader(json, errors, coerce: coerce);
        var (id, createdAt) = CommonFields.Read(r);
        var name = r.String("name", required: true);
        var instanceName = r.String("instance_name");
        if (instanceName is not null && FieldRules.Name(instanceName) is { } nameProblem)
        {
            r.Error("instance_name", nameProblem);
        }

        var configJson = r.Object("config") ?? [];
        JsonObject? config = null;
        if (name is not null)
        {
            if (registry.Find(name) is { } plugin)
            {
                config = plugin.ReadConfig(new FieldReader(configJson, errors, "config.", coerce));
            }
            else
            {
                r.Error("name", $"plugin '{name}' not enabled; add it to the 'plugins' configuration property");
            }
        }

        var instance = new PluginEntity
        {
            Id = id ?? Guid.Empty,
            CreatedAt = createdAt ?? 0,
            Name = name ?? "",
            InstanceName = instanceName,
            ServiceId = r.ForeignKey("service"),
            RouteId = r.ForeignKey("route"),
            ConsumerId = r.ForeignKey("consumer"),
            Config = config?.ToJsonString() ?? "{}",
            Protocols = r.Strings("protocols", p => AllProtocols.Contains(p) ? null : "expected one of: " + string.Join(", ", AllProtocols)) ?? AllProtocols,
            Enabled = r.Boolean("enabled") ?? true,
            Tags = r.Strings("tags", FieldRules.Tag),
        };
        r.RejectUnknown();

        return errors.Count == 0 ? instance : null;
    }

    public JsonObject Write(GatewayEntity entity)
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
}
