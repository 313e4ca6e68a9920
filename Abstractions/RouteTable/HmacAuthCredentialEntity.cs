namespace Turnpike.RouteTable;

/// <summary>
/// An hmac-auth username and secret of a consumer (Kong's <c>hmacauth_credentials</c>). The secret is kept as given:
/// verifying an HMAC needs it, as in Kong.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record HmacAuthCredentialEntity : GatewayEntity, IConsumerScopedEntity
{
    [Id(0)] public Guid ConsumerId { get; init; }
    [Id(1)] public string Username { get; init; } = "";
    [Id(2)] public string Secret { get; init; } = "";

    public override EntityKind Kind => EntityKind.HmacAuthCredential;

    string IConsumerScopedEntity.UniqueField => "username";

    string IConsumerScopedEntity.UniqueValue => Username;

    public override string? UniqueName => Username;
}
