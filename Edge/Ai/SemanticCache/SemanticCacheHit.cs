namespace Turnpike.Edge.Ai.SemanticCache;

/// <summary>An answer found for a prompt, and how far its prompt's embedding was from this one's (0 for an exact match).</summary>
internal readonly record struct SemanticCacheHit(CachedAnswer Answer, double Distance);
