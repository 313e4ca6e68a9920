namespace Turnpike.Edge.Plugins.OAuth2;

/// <summary>oauth2's per-edge settings (section <c>Turnpike:OAuth2</c>): the token cache and the token endpoint's limits.</summary>
internal sealed class OAuth2Options
{
    public const string Section = "Turnpike:OAuth2";

    /// <summary>The most access tokens (known or known not to exist) this edge remembers; past it the cache starts afresh.</summary>
    public int MaxCachedTokens { get; set; } = 100_000;

    /// <summary>How long an edge remembers that a token does not exist, so a client repeating a bad token costs one cluster call.</summary>
    public TimeSpan UnknownTokenTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often an edge holding cached tokens reads the tokens revoked through other edges.</summary>
    public TimeSpan RevocationPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The largest body <c>/oauth2/token</c> and <c>/oauth2/authorize</c> read (and an access token is looked for in); larger is 413.</summary>
    public int MaxParameterBodySize { get; set; } = 64 * 1024;
}
