using System.Text.Json.Nodes;
using Turnpike.Edge.Plugins.Jwt;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// Kong's <c>jwt_secrets</c> schema: a consumer, a unique key (generated when none is given), an algorithm, and
/// a secret (HS*, generated when none is given) or a PEM public key (RS*, ES*; required and checked here).
/// </summary>
internal sealed class JwtCredentialSchema : IEntitySchema
{
    public EntityKind Kind => EntityKind.JwtCredential;

    public string NameField => "key";

    public IReadOnlyList<(string Field, EntityKind Target)> ForeignKeys => [("consumer", EntityKind.Consumer)];

    public GatewayEntity? Read(JsonObject json, FieldErrors errors, bool coerce)
    {
        var r = new FieldReader(json, errors, coerce: coerce);
        var (id, createdAt, consumerId, tags) = CredentialFields.Read(r);
        var key = r.String("key");
        var secret = r.String("secret");
        var publicKey = r.String("rsa_public_key", multiLine: true);
        var algorithm = r.String("algorithm") ?? "HS256";
        if (key is { Length: 0 })
        {
            r.Error("key", "length must be at least 1");
        }

        if (secret is { Length: 0 })
        {
            r.Error("secret", "length must be at least 1");
        }

        if (!JwtAlgorithms.IsSupported(algorithm))
        {
            r.Error("algorithm", $"expected one of: {string.Join(", ", JwtAlgorithms.Names)}");
        }
        else if (!JwtAlgorithms.UsesSecret(algorithm))
        {
            if (publicKey is null)
            {
                r.Error("rsa_public_key", "required field missing");
            }
            else
            {
                using var imported = JwtAlgorithms.ImportPublicKey(algorithm, publicKey, out var problem);
                if (problem is not null)
                {
                    r.Error("rsa_public_key", problem);
                }
            }
        }

        r.RejectUnknown();
        return errors.Count > 0 ? null : new JwtCredentialEntity
        {
            Id = id,
            CreatedAt = createdAt,
            ConsumerId = consumerId,
            Key = key ?? CredentialFields.RandomToken(),
            Secret = secret ?? CredentialFields.RandomToken(),
            RsaPublicKey = publicKey,
            Algorithm = algorithm,
            Tags = tags,
        };
    }

    public JsonObject Write(GatewayEntity entity)
    {
        var j = (JwtCredentialEntity)entity;
        return CredentialFields.Write(j, j.ConsumerId, ("key", j.Key), ("secret", j.Secret), ("rsa_public_key", j.RsaPublicKey), ("algorithm", j.Algorithm));
    }
}
