namespace Turnpike.RouteTable;

/// <summary>
/// An administrator of the admin API (Kong Enterprise's RBAC users, simplified to one role each). Kept in the
/// replicated table so every edge checks admin tokens locally; only a salted hash of the token is kept.
/// Not part of the declarative configuration: <c>/config</c> neither exports nor replaces admins.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AdminEntity : GatewayEntity
{
    [Id(0)] public string Username { get; init; } = "";

    /// <summary><c>read-only</c>, <c>admin</c> or <c>super-admin</c>.</summary>
    [Id(1)] public string Role { get; init; } = "";

    /// <summary>Random salt, hex; the token hash is SHA-256 of the salt's bytes and the token's UTF-8 bytes.</summary>
    [Id(2)] public string TokenSalt { get; init; } = "";

    /// <summary>SHA-256(salt || token), hex. Empty in an upsert means "keep the stored token" (the grain fills it in).</summary>
    [Id(3)] public string TokenHash { get; init; } = "";

    public override EntityKind Kind => EntityKind.Admin;

    public override string? UniqueName => Username;
}
