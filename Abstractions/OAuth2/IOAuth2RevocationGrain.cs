namespace Turnpike.OAuth2;

/// <summary>
/// The cluster's log of access tokens edges must forget (one grain, key 0): revoked, deleted, changed or created by the
/// admin API. Every edge holding cached tokens reads what it has not applied yet. In memory only: what it invalidates is
/// the edges' memory, and an edge that finds entries missed (<see cref="OAuth2Revocations.Gap"/>) forgets everything.
/// </summary>
public interface IOAuth2RevocationGrain : IGrainWithIntegerKey
{
    Task<long> Append(string[] accessTokens);

    [AlwaysInterleave, ReadOnly]
    Task<OAuth2Revocations> Since(Guid epoch, long cursor);
}

/// <summary>The access tokens to forget after an edge's cursor; <see cref="Gap"/>: some were missed, forget all.</summary>
[GenerateSerializer, Immutable]
public sealed record OAuth2Revocations([property: Id(0)] Guid Epoch, [property: Id(1)] long Last, [property: Id(2)] bool Gap, [property: Id(3)] string[] AccessTokens);
