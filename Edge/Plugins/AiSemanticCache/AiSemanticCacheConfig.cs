using Turnpike.Edge.Ai;
using Turnpike.Edge.Ai.SemanticCache;

namespace Turnpike.Edge.Plugins.AiSemanticCache;

/// <summary>One ai-semantic-cache instance's configuration.</summary>
internal sealed record AiSemanticCacheConfig(
    Func<AiProxySettings> Embeddings,
    SemanticCacheVectorDb VectorDb,
    int CacheTtl,
    bool CacheControl,
    bool ExactCaching,
    SemanticCachePromptRules Prompt,
    bool StopOnFailure);

/// <summary>Kong's <c>vectordb</c> record.</summary>
internal sealed record SemanticCacheVectorDb(string Strategy, int Dimensions, DistanceMetric Metric, double Threshold, SemanticCacheRedis Redis);
