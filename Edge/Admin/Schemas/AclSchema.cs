using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>Kong's <c>acls</c> schema: a consumer's membership of a group, the group unique per consumer.</summary>
internal sealed class AclSchema : IEntitySchema
{
    public EntityKind Kind => EntityKind.Acl;

    public string NameField => "group";

    public IReadOnlyList<(string Field, EntityKind Target)> ForeignKeys => [("consumer", EntityKind.Consumer)];

    public string LookupKey(string key, Guid? parentId) =>
        parentId is { } consumerId && !Guid.TryParse(key, out _) ? AclEntity.NameOf(consumerId, key) : key;

    public GatewayEntity? Read(JsonObject json, FieldErrors errors, bool coerce)
    {
        var r = new FieldReader(json, errors, coerce: coerce);
        var id = r.Id("id");
        var createdAt = r.Integer("created_at", 0, int.MaxValue);
        r.Integer("updated_at", 0, int.MaxValue);
        var consumerId = r.ForeignKey("consumer");
        if (consumerId is null && !r.Has("consumer"))
        {
            r.Error("consumer", "required field missing");
        }

        var group = r.String("group", required: true);
        if (group is { Length: 0 })
        {
            r.Error("group", "length must be at least 1");
        }

        var tags = r.Strings("tags", FieldRules.Tag);
        r.RejectUnknown();
        return errors.Count > 0 ? null : new AclEntity
        {
            Id = id ?? Guid.Empty,
            CreatedAt = createdAt ?? 0,
            ConsumerId = consumerId!.Value,
            Group = group!,
            Tags = tags,
        };
    }

    public JsonObject Write(GatewayEntity entity)
    {
        var a = (AclEntity)entity;
        var json = new JsonObject
        {
            ["id"] = a.Id.ToString(),
            ["consumer"] = JsonFields.Reference(a.ConsumerId),
            ["group"] = a.Group,
        };
        JsonFields.WriteCommon(json, a);
        return json;
    }
}
