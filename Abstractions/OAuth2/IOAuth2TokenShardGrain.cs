namespace Turnpike.OAuth2;

/// <summary>
/// One of <see cref="OAuth2Shards.Count"/> shards of the cluster's oauth2 tokens and authorization codes (key: the shard
/// number, <see cref="OAuth2Shards.Of"/> of the access token or code). Stored, so tokens outlive silos. Edges ask a shard
/// once per token they have not seen and cache the answer; the admin API reads every shard to list.
/// </summary>
public interface IOAuth2TokenShardGrain : IGrainWithIntegerKey
{
    [AlwaysInterleave, ReadOnly]
    Task<OAuth2Token?> FindByAccessToken(string accessToken);

    [AlwaysInterleave, ReadOnly]
    Task<OAuth2Token?> FindByRefreshToken(string refreshToken);

    [AlwaysInterleave, ReadOnly]
    Task<OAuth2Token?> FindById(Guid id);

    [AlwaysInterleave, ReadOnly]
    Task<OAuth2Token[]> List();

    /// <summary>
    /// Stores <paramref name="token"/> (its access token must map to this shard), replacing the token of the same id.
    /// Null when stored; otherwise the field whose value another token already has (<c>access_token</c>, <c>refresh_token</c>).
    /// </summary>
    Task<string?> Put(OAuth2Token token);

    /// <summary>Removes the token of <paramref name="id"/>; returns it, or null when there was none.</summary>
    Task<OAuth2Token?> Remove(Guid id);

    Task PutCode(OAuth2Code code);

    [AlwaysInterleave, ReadOnly]
    Task<OAuth2Code?> FindCode(string code);

    /// <summary>Removes a code; false when it was already gone (used, expired), so two exchanges of one code cannot both win.</summary>
    Task<bool> RemoveCode(string code);
}
