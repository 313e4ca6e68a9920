using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Turnpike.Edge.Plugins.ProxyCache;

internal static class ProxyCacheServiceCollectionExtensions
{
    /// <summary>proxy-cache's per-edge memory, its purges across the cluster, and its admin endpoints.</summary>
    public static IServiceCollection AddTurnpikeProxyCache(this IServiceCollection services)
    {
        services.AddOptions<ProxyCacheOptions>().BindConfiguration(ProxyCacheOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProxyCacheOptions>, ProxyCacheOptionsValidator>();
        services.AddSingleton<ProxyCacheStore>();
        services.AddSingleton<MissCollapsing>();
        services.AddSingleton<ProxyCachePurges>();
        services.AddSingleton<ProxyCacheEndpoints>();
        services.AddHostedService<ProxyCachePurgeFollower>();
        return services;
    }
}
