namespace Turnpike.OAuth2;

/// <summary>What one token shard stores: its tokens by access token and its authorization codes.</summary>
[GenerateSerializer]
public sealed class OAuth2ShardState
{
    [Id(0)] public Dictionary<string, OAuth2Token> Tokens { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public Dictionary<string, OAuth2Code> Codes { get; set; } = new(StringComparer.Ordinal);
}
