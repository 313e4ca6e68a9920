namespace Turnpike.OAuth2;

/// <summary>
/// One shard of tokens and codes. Every write is stored before it is answered; records past their time (a token's
/// <see cref="OAuth2Token.DeleteAt"/>, a code's expiry) are dropped when a write next comes, and never returned before,
/// so nothing sweeps. A failed store deactivates the grain, so the next call reloads what storage holds.
/// </summary>
public sealed class OAuth2TokenShardGrain(
    [PersistentState("oauth2", GrainStorageNames.Default)] IPersistentState<OAuth2ShardState> state,
    TimeProvider time) : Grain, IOAuth2TokenShardGrain
{
    private Dictionary<string, string> _byRefresh = new(StringComparer.Ordinal);
    private Dictionary<Guid, string> _byId = [];

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Reindex();
        return Task.CompletedTask;
    }

    public Task<OAuth2Token?> FindByAccessToken(string accessToken) =>
        Task.FromResult(state.State.Tokens.TryGetValue(accessToken, out var token) && !token.IsDeleted(Now) ? token : null);

    public Task<OAuth2Token?> FindByRefreshToken(string refreshToken) =>
        _byRefresh.TryGetValue(refreshToken, out var access) ? FindByAccessToken(access) : Task.FromResult<OAuth2Token?>(null);

    public Task<OAuth2Token?> FindById(Guid id) =>
        _byId.TryGetValue(id, out var access) ? FindByAccessToken(access) : Task.FromResult<OAuth2Token?>(null);

    public Task<OAuth2Token[]> List()
    {
        var now = Now;
        return Task.FromResult<OAuth2Token[]>([.. state.State.Tokens.Values.Where(t => !t.IsDeleted(now))]);
    }

    public async Task<string?> Put(OAuth2Token token)
    {
        var tokens = state.State.Tokens;
        var now = Now;
        if (tokens.TryGetValue(token.AccessToken, out var holder) && holder.Id != token.Id && !holder.IsDeleted(now))
        {
            return "access_token";
        }

        if (token.RefreshToken is { } refresh && _byRefresh.TryGetValue(refresh, out var other) && tokens.TryGetValue(other, out var owner) && owner.Id != token.Id && !owner.IsDeleted(now))
        {
            return "refresh_token";
        }

        if (_byId.TryGetValue(token.Id, out var previous))
        {
            tokens.Remove(previous);
        }

        tokens[token.AccessToken] = token;
        await StoreAsync();
        return null;
    }

    public async Task<OAuth2Token?> Remove(Guid id)
    {
        if (!_byId.TryGetValue(id, out var access) || !state.State.Tokens.Remove(access, out var token))
        {
            return null;
        }

        await StoreAsync();
        return token.IsDeleted(Now) ? null : token;
    }

    public async Task PutCode(OAuth2Code code)
    {
        state.State.Codes[code.Code] = code;
        await StoreAsync();
    }

    public Task<OAuth2Code?> FindCode(string code) =>
        Task.FromResult(state.State.Codes.TryGetValue(code, out var found) && found.ExpiresAt > Now ? found : null);

    public async Task<bool> RemoveCode(string code)
    {
        if (!state.State.Codes.Remove(code, out var removed))
        {
            return false;
        }

        await StoreAsync();
        return removed.ExpiresAt > Now;
    }

    private long Now => time.GetUtcNow().ToUnixTimeSeconds();

    private async Task StoreAsync()
    {
        var now = Now;
        foreach (var (key, token) in state.State.Tokens.Where(t => t.Value.IsDeleted(now)).ToList())
        {
            state.State.Tokens.Remove(key);
        }

        foreach (var key in state.State.Codes.Where(c => c.Value.ExpiresAt <= now).Select(c => c.Key).ToList())
        {
            state.State.Codes.Remove(key);
        }

        Reindex();
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Memory now holds what storage may not: start again from what it does hold.
            DeactivateOnIdle();
            throw;
        }
    }

    private void Reindex()
    {
        _byRefresh = new(StringComparer.Ordinal);
        _byId = [];
        foreach (var token in state.State.Tokens.Values)
        {
            _byId[token.Id] = token.AccessToken;
            if (token.RefreshToken is { } refresh)
            {
                _byRefresh[refresh] = token.AccessToken;
            }
        }
    }
}
