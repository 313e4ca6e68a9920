namespace Turnpike.OAuth2;

/// <summary>
/// An authorization code (Kong's <c>oauth2_authorization_codes</c>): issued by <c>/oauth2/authorize</c>, exchanged once at
/// <c>/oauth2/token</c> within <see cref="Lifetime"/>, with the PKCE challenge it was asked with.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record OAuth2Code
{
    /// <summary>Kong's code TTL.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(300);

    [Id(0)] public string Code { get; init; } = "";
    [Id(1)] public Guid CredentialId { get; init; }
    [Id(2)] public Guid? ServiceId { get; init; }
    [Id(3)] public Guid? PluginId { get; init; }
    [Id(4)] public string? AuthenticatedUserid { get; init; }
    [Id(5)] public string? Scope { get; init; }
    [Id(6)] public string? Challenge { get; init; }
    [Id(7)] public string? ChallengeMethod { get; init; }

    /// <summary>Unix seconds.</summary>
    [Id(8)] public long ExpiresAt { get; init; }
}
