using System.Text.Json.Nodes;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.HmacAuth;

/// <summary>Kong's <c>hmacauth_credentials</c> schema: a consumer, a unique username, and a secret (generated when none is given).</summary>
internal sealed class HmacAuthCredentialSchema : CredentialSchema<HmacAuthCredentialEntity>
{
    private static readonly ConfigField<string?> Username = CredentialFields.NonEmpty(Field.String("username", required: true)).Described("unique", true);
    private static readonly ConfigField<string?> Secret = CredentialFields.NonEmpty(Field.String("secret")).Described("auto", true);

    public HmacAuthCredentialSchema()
        : base([CredentialFields.Consumer, Username, Secret])
    {
    }

    public override EntityKind Kind => EntityKind.HmacAuthCredential;

    public override string NameField => "username";

    public override string ConsumerPath => "hmac-auth";

    public override string CollectionPath => "hmac-auths";

    public override JsonObject Write(GatewayEntity entity)
    {
        var h = (HmacAuthCredentialEntity)entity;
        return CredentialFields.Write(h, h.ConsumerId, ("username", h.Username), ("secret", h.Secret));
    }

    protected override HmacAuthCredentialEntity Bind(ConfigValues values) => new()
    {
        ConsumerId = values.Get(CredentialFields.Consumer) ?? Guid.Empty,
        Username = values.Get(Username)!,
        Secret = values.Get(Secret) ?? CredentialFields.RandomToken(),
    };
}
