using System.Text.Json.Nodes;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.KeyAuth;

/// <summary>Kong's <c>keyauth_credentials</c> schema: a consumer and a key, generated when none is given.</summary>
internal sealed class KeyAuthCredentialSchema : CredentialSchema<KeyAuthCredentialEntity>
{
    private static readonly ConfigField<string?> Key = CredentialFields.NonEmpty(Field.String("key")).Described("unique", true).Described("auto", true);

    public KeyAuthCredentialSchema()
        : base([CredentialFields.Consumer, Key])
    {
    }

    public override EntityKind Kind => EntityKind.KeyAuthCredential;

    public override string NameField => "key";

    public override string ConsumerPath => "key-auth";

    public override string CollectionPath => "key-auths";

    public override JsonObject Write(GatewayEntity entity)
    {
        var k = (KeyAuthCredentialEntity)entity;
        return CredentialFields.Write(k, k.ConsumerId, ("key", k.Key));
    }

    protected override KeyAuthCredentialEntity Bind(ConfigValues values) => new()
    {
        ConsumerId = values.Get(CredentialFields.Consumer) ?? Guid.Empty,
        Key = values.Get(Key) ?? CredentialFields.RandomToken(),
    };
}
