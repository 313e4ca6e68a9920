namespace Turnpike.Edge.Ai.SemanticCache;

/// <summary>How far apart two prompt embeddings are (Kong's <c>vectordb.distance_metric</c>).</summary>
internal enum DistanceMetric
{
    /// <summary>1 − cosine similarity: 0 for the same direction, 1 for orthogonal, 2 for opposite.</summary>
    Cosine,

    /// <summary>The straight-line distance between the vectors as the model gave them.</summary>
    Euclidean,
}
