using System.Text.Json.Nodes;
using Turnpike.Edge.Plugins.BasicAuth;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>Kong's <c>basicauth_credentials</c> schema: a consumer, a unique username, and a password stored hashed.</summary>
internal sealed class BasicAuthCredentialSchema : IEntitySchema
{
    public EntityKind Kind => EntityKind.BasicAuthCredential;

    public string NameField => "username";

    public IReadOnlyList<(string Field, EntityKind Target)> ForeignKeys => [("consumer", EntityKind.Consumer)];

    public GatewayEntity? Read(JsonObject json, FieldErrors errors, bool coerce)
    {
        var r = new FieldReader(json, errors, coerce: coerce);
        var (id, createdAt, consumerId, tags) = CredentialFields.Read(r);
        var username = r.String("username", required: true);
        var password = r.String("password", required: true);
        if (username is { Length: 0 })
        {
            r.Error("username", "length must be at least 1");
        }

        r.RejectUnknown();
        return errors.Count > 0 ? null : new BasicAuthCredentialEntity
        {
            Id = id,
            CreatedAt = createdAt,
            ConsumerId = consumerId,
            Username = username!,
            PasswordHash = PasswordHash.IsHash(password!) ? password! : PasswordHash.Create(password!),
            Tags = tags,
        };
    }

    public JsonObject Write(GatewayEntity entity)
    {
        var b = (BasicAuthCredentialEntity)entity;
        return CredentialFields.Write(b, b.ConsumerId, ("username", b.Username), ("password", b.PasswordHash));
    }
}
