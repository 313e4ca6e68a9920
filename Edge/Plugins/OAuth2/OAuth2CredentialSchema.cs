using System.Text.Json.Nodes;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.OAuth2;

/// <summary>
/// Kong's <c>oauth2_credentials</c> schema (admin path <c>/oauth2</c>): a consumer, a name, a unique <c>client_id</c> and a
/// <c>client_secret</c> (both generated when not given), <c>hash_secret</c>, the <c>redirect_uris</c> (absolute, no fragment)
/// and the <c>client_type</c>.
/// </summary>
internal sealed class OAuth2CredentialSchema : CredentialSchema<OAuth2CredentialEntity>
{
    private static readonly ConfigField<string?> Name = Field.String("name", required: true);
    private static readonly ConfigField<string?> ClientId = CredentialFields.NonEmpty(Field.String("client_id")).Described("unique", true).Described("auto", true);
    private static readonly ConfigField<string?> ClientSecret = CredentialFields.NonEmpty(Field.String("client_secret")).Described("auto", true);
    private static readonly ConfigField<bool> HashSecret = Field.Boolean("hash_secret").Default(false);
    private static readonly ConfigField<string[]?> RedirectUris = Field.Strings("redirect_uris", RedirectUri);
    private static readonly ConfigField<string> ClientType = Field.OneOf("client_type", ["confidential", "public"]).Default("confidential");

    public OAuth2CredentialSchema()
        : base([CredentialFields.Consumer, Name, ClientId, ClientSecret, HashSecret, RedirectUris, ClientType])
    {
    }

    public override EntityKind Kind => EntityKind.OAuth2Credential;

    public override string NameField => "client_id";

    public override string ConsumerPath => "oauth2";

    public override string CollectionPath => "oauth2";

    /// <summary>A read-only admin does not see client secrets (a client's password).</summary>
    public override IReadOnlyList<string> SecretFields => ["client_secret"];

    public override JsonObject Write(GatewayEntity entity)
    {
        var o = (OAuth2CredentialEntity)entity;
        return CredentialFields.Write(
            o,
            o.ConsumerId,
            ("name", o.Name),
            ("client_id", o.ClientId),
            ("client_secret", o.ClientSecret),
            ("hash_secret", o.HashSecret),
            ("redirect_uris", o.RedirectUris is { } uris ? Field.Array(uris) : null),
            ("client_type", o.ClientType));
    }

    /// <summary>Kong's check of each redirect URI: it parses with a scheme and a host, and has no fragment.</summary>
    public static string? RedirectUri(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Host.Length == 0 || uri.StartsWith('/'))
        {
            return $"cannot parse '{uri}'";
        }

        return uri.Contains('#') ? $"fragment not allowed in '{uri}'" : null;
    }

    /// <summary>With <c>hash_secret</c> the secret is stored hashed as Kong does; a hash given back (an export re-imported) is kept.</summary>
    protected override OAuth2CredentialEntity Bind(ConfigValues values)
    {
        var hash = values.Get(HashSecret);
        var secret = values.Get(ClientSecret) ?? CredentialFields.RandomToken();
        return new()
        {
            ConsumerId = values.Get(CredentialFields.Consumer) ?? Guid.Empty,
            Name = values.Get(Name)!,
            ClientId = values.Get(ClientId) ?? CredentialFields.RandomToken(),
            ClientSecret = hash && !OAuth2Secret.IsHash(secret) ? OAuth2Secret.Hash(secret) : secret,
            HashSecret = hash,
            RedirectUris = values.Get(RedirectUris),
            ClientType = values.Get(ClientType),
        };
    }
}
