namespace Turnpike.RouteTable;

/// <summary>
/// An oauth2 application of a consumer (Kong's <c>oauth2_credentials</c>): its client id, its secret (kept hashed when
/// <see cref="HashSecret"/>), the redirect URIs it may be sent back to, and whether it is a confidential or public client.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record OAuth2CredentialEntity : GatewayEntity, IConsumerScopedEntity
{
    [Id(0)] public Guid ConsumerId { get; init; }
    [Id(1)] public string Name { get; init; } = "";
    [Id(2)] public string ClientId { get; init; } = "";
    [Id(3)] public string ClientSecret { get; init; } = "";
    [Id(4)] public bool HashSecret { get; init; }
    [Id(5)] public string[]? RedirectUris { get; init; }
    [Id(6)] public string ClientType { get; init; } = "confidential";

    public override EntityKind Kind => EntityKind.OAuth2Credential;

    string IConsumerScopedEntity.UniqueField => "client_id";

    string IConsumerScopedEntity.UniqueValue => ClientId;

    public override string? UniqueName => ClientId;
}
