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
        parentId is { } consumerId && !EntityIds.TryParse(key, out _) ? AclEntity.NameOf(consumerId, key) : key;

    public GatewayEntity? Read(JsonObject json, FieldErrors errors, bool coerce)
    {
        var r = new FieldReader(json, errors, coerce: coerce);
        var (id, createdAt, consumerId, tags) = CredentialFields.Read(r);
        var group = r.String("group", required: true);
        if (group is { Length: 0 })
        {
            r.Error("group", "length must be at least 1");
        }

        r.RejectUnknown();
        return errors.Count > 0 ? null : new AclEntity { Id = id, CreatedAt = createdAt, ConsumerId = consumerId, Group = group!, Tags = tags };
    }

    public JsonObject Write(GatewayEntity entity)
    {
        var a = (AclEntity)entity;
        return CredentialFields.Write(a, a.ConsumerId, ("group", a.Group));
    }
}
