using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>Kong's <c>keyauth_credentials</c> schema: a consumer and a key, generated when none is given.</summary>
internal sealed class KeyAuthCredentialSchema : IEntitySchema
{
    public EntityKind Kind => EntityKind.KeyAuthCredential;

    public string NameField => "key";

    public IReadOnlyList<(string Field, EntityKind Target)> ForeignKeys => [("consumer", EntityKind.Consumer)];

    public GatewayEntity? Read(JsonObject json, FieldErrors errors, bool coerce)
    {
        var r = new FieldReader(json, errors, coerce: coerce);
        var (id, createdAt, consumerId, tags) = CredentialFields.Read(r);
        var key = r.String("key");
        if (key is { Length: 0 })
        {
            r.Error("key", "length must be at least 1");
        }

        r.RejectUnknown();
        return errors.Count > 0 ? null : new KeyAuthCredentialEntity { Id = id, CreatedAt = createdAt, ConsumerId = consumerId, Key = key ?? CredentialFields.RandomToken(), Tags = tags };
    }

    public JsonObject Write(GatewayEntity entity)
    {
        var k = (KeyAuthCredentialEntity)entity;
        return CredentialFields.Write(k, k.ConsumerId, ("key", k.Key));
    }
}
