namespace Turnpike.OAuth2;

/// <summary>
/// An oauth2 access token (Kong's <c>oauth2_tokens</c>): what it lets in (the application, the service unless global, the
/// scope and the end user) and for how long. It lives in the <see cref="IOAuth2TokenShardGrain"/> its access token maps to.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record OAuth2Token
{
    [Id(0)] public Guid Id { get; init; }
    [Id(1)] public string AccessToken { get; init; } = "";
    [Id(2)] public string? RefreshToken { get; init; }
    [Id(3)] public Guid CredentialId { get; init; }

    /// <summary>The service the token was issued for; null for a token of <c>global_credentials</c>.</summary>
    [Id(4)] public Guid? ServiceId { get; init; }

    [Id(5)] public string? AuthenticatedUserid { get; init; }
    [Id(6)] public string? Scope { get; init; }

    /// <summary>Seconds from <see cref="CreatedAt"/> the token is valid; 0 never expires.</summary>
    [Id(7)] public int ExpiresIn { get; init; }

    /// <summary>Unix seconds.</summary>
    [Id(8)] public long CreatedAt { get; init; }

    /// <summary>Unix seconds after which the record (and its refresh token) is gone: Kong's row TTL, <c>refresh_token_ttl</c>.</summary>
    [Id(9)] public long? DeleteAt { get; init; }

    [Id(10)] public string TokenType { get; init; } = "bearer";

    /// <summary>True once the access token no longer lets anything in (Kong: <c>now - created_at &gt; expires_in</c>).</summary>
    public bool IsExpired(long now) => ExpiresIn > 0 && now - CreatedAt > ExpiresIn;

    /// <summary>True once the record itself is gone, refresh token included.</summary>
    public bool IsDeleted(long now) => DeleteAt is { } at && now >= at;
}
