using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>Kong's <c>hmacauth_credentials</c> schema: a consumer, a unique username, and a secret (generated when none is given).</summary>
internal sealed class HmacAuthCredentialSchema : IEntitySchema
{
    public EntityKind Kind => EntityKind.HmacAuthCredential;

    public string NameField => "username";

    public IReadOnlyList<(string Field, EntityKind Target)> ForeignKeys => [("consumer", EntityKind.Consumer)];

    public GatewayEntity? Read(JsonObject json, FieldErrors errors, bool coerce)
    {
        var r = new FieldReader(json, errors, coerce: coerce);
        var (id, createdAt, consumerId, tags) = CredentialFields.Read(r);
        var username = r.String("username", required: true);
        var secret = r.String("secret");
        if (username is { Length: 0 })
        {
            r.Error("username", "length must be at least 1");
        }

        if (secret is { Length: 0 })
        {
            r.Error("secret", "length must be at least 1");
        }

        r.RejectUnknown();
        return errors.Count > 0 ? null : new HmacAuthCredentialEntity
        {
            Id = id,
            CreatedAt = createdAt,
            ConsumerId = consumerId,
            Username = username!,
            Secret = secret ?? CredentialFields.RandomToken(),
            Tags = tags,
        };
    }

    public JsonObject Write(GatewayEntity entity)
    {
        var h = (HmacAuthCredentialEntity)entity;
        return CredentialFields.Write(h, h.ConsumerId, ("username", h.Username), ("secret", h.Secret));
    }
}
