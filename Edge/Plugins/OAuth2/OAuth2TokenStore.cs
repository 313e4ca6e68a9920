using Turnpike.OAuth2;

namespace Turnpike.Edge.Plugins.OAuth2;

/// <summary>
/// The cluster's tokens and codes as the edge uses them: one shard call per write or lookup by token; lookups by id and
/// listings read every shard (the admin API only). Whatever changes or removes a token also has every edge forget it.
/// </summary>
internal sealed class OAuth2TokenStore(IGrainFactory grains, OAuth2TokenCache cache, OAuth2Revocations revocations)
{
    /// <summary>Stores a token issued on this edge and remembers it here, so it is valid here at once (and elsewhere on first use).</summary>
    public async Task<string?> IssueAsync(OAuth2Token token)
    {
        var conflict = await OAuth2Shards.Grain(grains, token.AccessToken).Put(token);
        if (conflict is null)
        {
            cache.Put(token);
        }

        return conflict;
    }

    public Task<OAuth2Token?> FindByAccessTokenAsync(string accessToken) => OAuth2Shards.Grain(grains, accessToken).FindByAccessToken(accessToken);

    /// <summary>By refresh token: its own shard, where the gateway puts both tokens of a record; else (a token an admin made) every shard.</summary>
    public async Task<OAuth2Token?> FindByRefreshTokenAsync(string refreshToken)
    {
        if (await OAuth2Shards.Grain(grains, refreshToken).FindByRefreshToken(refreshToken) is { } token)
        {
            return token;
        }

        var all = await Task.WhenAll(Shards().Select(s => s.FindByRefreshToken(refreshToken)));
        return all.FirstOrDefault(t => t is not null);
    }

    public async Task<OAuth2Token?> FindByIdAsync(Guid id)
    {
        var all = await Task.WhenAll(Shards().Select(s => s.FindById(id)));
        return all.FirstOrDefault(t => t is not null);
    }

    public async Task<OAuth2Token[]> ListAsync()
    {
        var all = await Task.WhenAll(Shards().Select(s => s.List()));
        return [.. all.SelectMany(t => t).OrderBy(t => t.Id)];
    }

    /// <summary>Stores a token the admin API made or changed (moving it when its access token now maps to another shard), and has every edge forget the old and new access tokens.</summary>
    public async Task<string?> SaveAsync(OAuth2Token token, OAuth2Token? previous)
    {
        var conflict = await OAuth2Shards.Grain(grains, token.AccessToken).Put(token);
        if (conflict is not null)
        {
            return conflict;
        }

        if (previous is not null && OAuth2Shards.Of(previous.AccessToken) != OAuth2Shards.Of(token.AccessToken))
        {
            await OAuth2Shards.Grain(grains, previous.AccessToken).Remove(previous.Id);
        }

        await revocations.RevokeEverywhereAsync(previous is null || previous.AccessToken == token.AccessToken ? [token.AccessToken] : [token.AccessToken, previous.AccessToken]);
        return null;
    }

    /// <summary>Removes a token from the cluster, then has every edge forget it (in that order, so no edge can cache it again).</summary>
    public async Task RemoveAsync(OAuth2Token token)
    {
        await OAuth2Shards.Grain(grains, token.AccessToken).Remove(token.Id);
        await revocations.RevokeEverywhereAsync(token.AccessToken);
    }

    public Task PutCodeAsync(OAuth2Code code) => OAuth2Shards.Grain(grains, code.Code).PutCode(code);

    public Task<OAuth2Code?> FindCodeAsync(string code) => OAuth2Shards.Grain(grains, code).FindCode(code);

    public Task<bool> RemoveCodeAsync(string code) => OAuth2Shards.Grain(grains, code).RemoveCode(code);

    private IEnumerable<IOAuth2TokenShardGrain> Shards() => Enumerable.Range(0, OAuth2Shards.Count).Select(i => grains.GetGrain<IOAuth2TokenShardGrain>(i));
}
