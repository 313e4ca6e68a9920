namespace Turnpike.RouteTable;

/// <summary>A key-auth API key of a consumer (Kong's <c>keyauth_credentials</c> entity); the key is unique across consumers.</summary>
[GenerateSerializer, Immutable]
public sealed record KeyAuthCredentialEntity : GatewayEntity, IConsumerScopedEntity
{
    [Id(0)] public Guid ConsumerId { get; init; }
    [Id(1)] public string Key { get; init; } = "";

    public override EntityKind Kind => EntityKind.KeyAuthCredential;

    string IConsumerScopedEntity.UniqueField => "key";

    string IConsumerScopedEntity.UniqueValue => Key;

    /// <summary>Kong addresses a key by its id or by the key itself (<c>/key-auths/{id|key}</c>).</summary>
    public override string? UniqueName => Key;
}
