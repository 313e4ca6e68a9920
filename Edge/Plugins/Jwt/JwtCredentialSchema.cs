using System.Text.Json.Nodes;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.Jwt;

/// <summary>
/// Kong's <c>jwt_secrets</c> schema: a consumer, a unique key (generated when none is given), an algorithm, and
/// a secret (HS*, generated when none is given) or a PEM public key (RS*, ES*; required and checked here).
/// </summary>
internal sealed class JwtCredentialSchema : CredentialSchema<JwtCredentialEntity>
{
    private static readonly ConfigField<string?> Key = CredentialFields.NonEmpty(Field.String("key")).Described("unique", true).Described("auto", true);
    private static readonly ConfigField<string?> Secret = CredentialFields.NonEmpty(Field.String("secret")).Described("auto", true);
    private static readonly ConfigField<string?> RsaPublicKey = Field.String("rsa_public_key", multiLine: true);
    private static readonly ConfigField<string> Algorithm = Field.String("algorithm").Default("HS256")
        .Check(a => JwtAlgorithms.IsSupported(a) ? null : $"expected one of: {string.Join(", ", JwtAlgorithms.Names)}", "one_of", Field.Array(JwtAlgorithms.Names));

    /// <summary>An RS* or ES* credential verifies with a public key, which must be given and must parse.</summary>
    private static readonly ConfigCheck PublicKey = new((c, r) =>
    {
        var algorithm = c.Get(Algorithm);
        if (!JwtAlgorithms.IsSupported(algorithm) || JwtAlgorithms.UsesSecret(algorithm) || r.Errors.All.ContainsKey("rsa_public_key"))
        {
            return;
        }

        if (c.Get(RsaPublicKey) is not { } pem)
        {
            r.Error("rsa_public_key", "required field missing");
            return;
        }

        using var imported = JwtAlgorithms.ImportPublicKey(algorithm, pem, out var problem);
        if (problem is not null)
        {
            r.Error("rsa_public_key", problem);
        }
    });

    public JwtCredentialSchema()
        : base([CredentialFields.Consumer, Key, Secret, RsaPublicKey, Algorithm, PublicKey])
    {
    }

    public override EntityKind Kind => EntityKind.JwtCredential;

    public override string NameField => "key";

    public override string ConsumerPath => "jwt";

    public override string CollectionPath => "jwts";

    public override JsonObject Write(GatewayEntity entity)
    {
        var j = (JwtCredentialEntity)entity;
        return CredentialFields.Write(j, j.ConsumerId, ("key", j.Key), ("secret", j.Secret), ("rsa_public_key", j.RsaPublicKey), ("algorithm", j.Algorithm));
    }

    protected override JwtCredentialEntity Bind(ConfigValues values) => new()
    {
        ConsumerId = values.Get(CredentialFields.Consumer) ?? Guid.Empty,
        Key = values.Get(Key) ?? CredentialFields.RandomToken(),
        Secret = values.Get(Secret) ?? CredentialFields.RandomToken(),
        RsaPublicKey = values.Get(RsaPublicKey),
        Algorithm = values.Get(Algorithm),
    };
}
