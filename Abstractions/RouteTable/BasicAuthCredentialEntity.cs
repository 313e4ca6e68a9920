namespace Turnpike.RouteTable;

/// <summary>A basic-auth username and password of a consumer (Kong's <c>basicauth_credentials</c>); only the password's hash is kept.</summary>
[GenerateSerializer, Immutable]
public sealed record BasicAuthCredentialEntity : GatewayEntity, IConsumerScopedEntity
{
    [Id(0)] public Guid ConsumerId { get; init; }
    [Id(1)] public string Username { get; init; } = "";

    /// <summary>The salted hash of the password, in <c>PasswordHash</c>'s format.</summary>
    [Id(2)] public string PasswordHash { get; init; } = "";

    public override EntityKind Kind => EntityKind.BasicAuthCredential;

    string IConsumerScopedEntity.UniqueField => "username";

    string IConsumerScopedEntity.UniqueValue => Username;

    public override string? UniqueName => Username;
}
