namespace Turnpike.RouteTable;

/// <summary>
/// A consumer's JWT signing credential (Kong's <c>jwt_secrets</c>): tokens name it by <see cref="Key"/> in a claim
/// (<c>iss</c> by default) and are signed with <see cref="Secret"/> (HS*) or the private half of <see cref="RsaPublicKey"/> (RS*, ES*).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record JwtCredentialEntity : GatewayEntity, IConsumerScopedEntity
{
    [Id(0)] public Guid ConsumerId { get; init; }
    [Id(1)] public string Key { get; init; } = "";
    [Id(2)] public string? Secret { get; init; }

    /// <summary>A PEM public key (RSA or EC, despite Kong's field name).</summary>
    [Id(3)] public string? RsaPublicKey { get; init; }
    [Id(4)] public string Algorithm { get; init; } = "HS256";

    public override EntityKind Kind => EntityKind.JwtCredential;

    string IConsumerScopedEntity.UniqueField => "key";

    string IConsumerScopedEntity.UniqueValue => Key;

    /// <summary>Kong addresses a JWT credential by its id or key (<c>/jwts/{id|key}</c>).</summary>
    public override string? UniqueName => Key;
}
