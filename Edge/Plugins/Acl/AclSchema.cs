using System.Text.Json.Nodes;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.Acl;

/// <summary>Kong's <c>acls</c> schema: a consumer's membership of a group, the group unique per consumer.</summary>
internal sealed class AclSchema : CredentialSchema<AclEntity>
{
    private static readonly ConfigField<string?> Group = CredentialFields.NonEmpty(Field.String("group", required: true));

    public AclSchema()
        : base([CredentialFields.Consumer, Group])
    {
    }

    public override EntityKind Kind => EntityKind.Acl;

    public override string NameField => "group";

    public override string ConsumerPath => "acls";

    public override string CollectionPath => "acls";

    public override string LookupKey(string key, Guid? parentId) =>
        parentId is { } consumerId && !EntityIds.TryParse(key, out _) ? AclEntity.NameOf(consumerId, key) : key;

    public override JsonObject Write(GatewayEntity entity)
    {
        var a = (AclEntity)entity;
        return CredentialFields.Write(a, a.ConsumerId, ("group", a.Group));
    }

    protected override AclEntity Bind(ConfigValues values) => new()
    {
        ConsumerId = values.Get(CredentialFields.Consumer) ?? Guid.Empty,
        Group = values.Get(Group)!,
    };
}
