namespace Turnpike.Edge.Ai.SemanticCache;

/// <summary>
/// Where one ai-semantic-cache instance keeps its answers (<c>vectordb.strategy</c>): this edge's memory, or Redis.
/// Entries are grouped by namespace (the plugin instance and the model asked for), so instances never share answers.
/// Every method may throw when the store cannot be reached; the plugin decides what a failure means (<c>stop_on_failure</c>).
/// </summary>
internal interface ISemanticCacheStore
{
    /// <summary>The live answer stored under exactly <paramref name="key"/>, if any.</summary>
    Task<CachedAnswer?> GetAsync(string space, string key, CancellationToken cancellationToken);

    /// <summary>The live answer whose prompt is nearest <paramref name="vector"/>, if it is within <paramref name="threshold"/>.</summary>
    Task<SemanticCacheHit?> SearchAsync(string space, float[] vector, DistanceMetric metric, double threshold, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="answer"/>, replacing its key's, within the store's bounds.</summary>
    Task SetAsync(string space, CachedAnswer answer, CancellationToken cancellationToken);
}
