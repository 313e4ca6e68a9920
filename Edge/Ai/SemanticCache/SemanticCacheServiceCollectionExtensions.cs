using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Turnpike.Edge.Ai.SemanticCache;

internal static class SemanticCacheServiceCollectionExtensions
{
    /// <summary>ai-semantic-cache's per-edge memory index, its Redis connections and their bounds.</summary>
    public static IServiceCollection AddTurnpikeSemanticCache(this IServiceCollection services)
    {
        services.AddOptions<SemanticCacheOptions>().BindConfiguration(SemanticCacheOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SemanticCacheOptions>, SemanticCacheOptionsValidator>();
        services.AddSingleton<MemorySemanticCacheStore>();
        services.AddSingleton<SemanticCacheRedisConnections>();
        return services;
    }
}
