using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.OAuth2;

/// <summary>
/// The body of a write to <c>/oauth2_tokens</c>, declared once as Kong's <c>oauth2_tokens</c> schema: a token is not a
/// route-table entity (it lives in the cluster's token shards), but its fields, <c>id</c> and <c>created_at</c> included,
/// are read and checked by the same machinery, every error collected in Kong's shape.
/// </summary>
internal static class OAuth2TokenSchema
{
    private static readonly ConfigField<Guid?> Id = Field.Uuid("id");
    private static readonly ConfigField<long?> CreatedAt = Field.Timestamp("created_at");
    private static readonly ConfigField<Guid?> Credential = Field.Foreign("credential", "oauth2_credentials", required: true);
    private static readonly ConfigField<Guid?> Service = Field.Foreign("service", "services");
    private static readonly ConfigField<string?> TokenType = Field.OneOf("token_type", ["bearer"]);
    private static readonly ConfigField<int> ExpiresIn = Field.RequiredInteger("expires_in", 0, int.MaxValue);
    private static readonly ConfigField<string?> AccessToken = Field.String("access_token").Check(token => token is { Length: 0 } ? "length must be at least 1" : null);
    private static readonly ConfigField<string?> RefreshToken = Field.String("refresh_token");
    private static readonly ConfigField<string?> AuthenticatedUserid = Field.String("authenticated_userid");
    private static readonly ConfigField<string?> Scope = Field.String("scope");
    private static readonly ConfigField<int?> Ttl = Field.Integer("ttl", 0, 100_000_000);

    private static readonly ConfigSchema<OAuth2TokenBody> Schema = new(
        [Id, CreatedAt, Credential, Service, TokenType, ExpiresIn, AccessToken, RefreshToken, AuthenticatedUserid, Scope, Ttl],
        c => new(
            c.Get(Id),
            c.Get(CreatedAt),
            c.Get(Credential) ?? Guid.Empty,
            c.Get(Service),
            c.Get(ExpiresIn),
            c.Get(AccessToken),
            c.Get(RefreshToken),
            c.Get(AuthenticatedUserid),
            c.Get(Scope),
            c.Get(Ttl)));

    /// <summary>The token a body describes, or null with <paramref name="errors"/> saying why.</summary>
    public static OAuth2TokenBody? Read(JsonObject json, FieldErrors errors, bool coerce)
    {
        var stored = Schema.Read(new FieldReader(json, errors, coerce: coerce));
        return errors.Count == 0 ? Schema.Bind(stored) : null;
    }
}

/// <summary>What a write to <c>/oauth2_tokens</c> gave, validated; what it left out the endpoint fills in.</summary>
internal sealed record OAuth2TokenBody(
    Guid? Id,
    long? CreatedAt,
    Guid CredentialId,
    Guid? ServiceId,
    int ExpiresIn,
    string? AccessToken,
    string? RefreshToken,
    string? AuthenticatedUserid,
    string? Scope,
    int? Ttl);
