namespace Turnpike.Edge.Ai.SemanticCache;

/// <summary>
/// One stored LLM answer: the OpenAI <c>chat.completion</c> it was (replayed in the client's format on a hit), the
/// prompt's key and embedding, when it was stored and for how long (unix seconds), and which model answered with how
/// many tokens (what a hit saves, metered as <c>ai_tokens_saved</c>).
/// </summary>
internal sealed record CachedAnswer(string Key, string Completion, float[]? Vector, long StoredAt, long Ttl, string ModelLabel, long Tokens)
{
    /// <summary>What the entry costs the edge's memory: the answer's text, the vector, key and bookkeeping.</summary>
    public long Size { get; } = (Completion.Length * 2L) + ((Vector?.Length ?? 0) * 4L) + (Key.Length * 2L) + (ModelLabel.Length * 2L) + 160;

    public long Age(long now) => Math.Max(0, now - StoredAt);

    public bool Expired(long now) => now - StoredAt >= Ttl;
}
