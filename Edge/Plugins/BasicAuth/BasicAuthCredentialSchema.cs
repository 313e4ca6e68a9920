using System.Text.Json.Nodes;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.BasicAuth;

/// <summary>Kong's <c>basicauth_credentials</c> schema: a consumer, a unique username, and a password stored hashed.</summary>
internal sealed class BasicAuthCredentialSchema : CredentialSchema<BasicAuthCredentialEntity>
{
    private static readonly ConfigField<string?> Username = CredentialFields.NonEmpty(Field.String("username", required: true)).Described("unique", true);
    private static readonly ConfigField<string?> Password = Field.String("password", required: true);

    public BasicAuthCredentialSchema()
        : base([CredentialFields.Consumer, Username, Password])
    {
    }

    public override EntityKind Kind => EntityKind.BasicAuthCredential;

    public override string NameField => "username";

    public override string ConsumerPath => "basic-auth";

    public override string CollectionPath => "basic-auths";

    public override JsonObject Write(GatewayEntity entity)
    {
        var b = (BasicAuthCredentialEntity)entity;
        return CredentialFields.Write(b, b.ConsumerId, ("username", b.Username), ("password", b.PasswordHash));
    }

    /// <summary>A password is stored hashed; a hash given back (an export re-imported) is kept as it is.</summary>
    protected override BasicAuthCredentialEntity Bind(ConfigValues values)
    {
        var password = values.Get(Password)!;
        return new()
        {
            ConsumerId = values.Get(CredentialFields.Consumer) ?? Guid.Empty,
            Username = values.Get(Username)!,
            PasswordHash = PasswordHash.IsHash(password) ? password : PasswordHash.Create(password),
        };
    }
}
