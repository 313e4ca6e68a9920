namespace Turnpike.Edge.Ai.SemanticCache;

/// <summary>ai-semantic-cache's bounds on each edge (section <c>Turnpike:AiSemanticCache</c>).</summary>
internal sealed class SemanticCacheOptions
{
    public const string Section = "Turnpike:AiSemanticCache";

    /// <summary><c>strategy: memory</c>: the most answers this edge keeps for every instance together; the least recently used go first.</summary>
    public int MaxEntries { get; set; } = 4096;

    /// <summary><c>strategy: memory</c>: the most bytes (answers and vectors) this edge keeps for every instance together.</summary>
    public long MemorySize { get; set; } = 64L * 1024 * 1024;

    /// <summary>An answer larger than this (characters of its JSON) is not stored.</summary>
    public int MaxAnswerSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// <c>strategy: redis</c>: the most answers kept in Redis per instance and model (the oldest dropped first), and so
    /// the most vectors one lookup compares on the edge.
    /// </summary>
    public int RedisCandidates { get; set; } = 1024;

    /// <summary>How long the call to the embeddings model may take before the lookup counts as failed.</summary>
    public TimeSpan EmbeddingsTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
