using System.Security.Cryptography;
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
        var id = r.Id("id");
        var createdAt = r.Integer("created_at", 0, int.MaxValue);
        r.Integer("updated_at", 0, int.MaxValue);
        var consumerId = r.ForeignKey("consumer");
        if (consumerId is null && !r.Has("consumer"))
        {
            r.Error("consumer", "required field missing");
        }

        var key = r.String("key");
        if (key is { Length: 0 })
        {
            r.Error("key", "length must be at least 1");
        }

        var tags = r.Strings("tags", FieldRules.Tag);
        r.RejectUnknown();
        return errors.Count > 0 ? null : new KeyAuthCredentialEntity
        {
            Id = id ?? Guid.Empty,
            CreatedAt = createdAt ?? 0,
            ConsumerId = consumerId!.Value,
            Key = key ?? NewKey(),
            Tags = tags,
        };
    }

    public JsonObject Write(GatewayEntity entity)
    {
        var k = (KeyAuthCredentialEntity)entity;
        var json = new JsonObject
        {
            ["id"] = k.Id.ToString(),
            ["consumer"] = JsonFields.Reference(k.ConsumerId),
            ["key"] = k.Key,
        };
        JsonFields.WriteCommon(json, k);
        return json;
    }

    /// <summary>A random key, as Kong generates one when the client gives none (32 hex characters, 128 bits).</summary>
    private static string NewKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
