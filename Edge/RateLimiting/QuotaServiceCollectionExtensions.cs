using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Turnpike.Edge.RateLimiting;

internal static class QuotaServiceCollectionExtensions
{
    /// <summary>Rate-limit permits leased from the cluster's counters (and the local fallback when the cluster is unreachable).</summary>
    public static IServiceCollection AddTurnpikeQuota(this IServiceCollection services)
    {
        services.AddOptions<QuotaOptions>().BindConfiguration(QuotaOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<QuotaOptions>, QuotaOptionsValidator>();
        services.AddSingleton<RateLimitMetrics>();
        services.AddSingleton<ClusterQuota>();
        services.AddSingleton<LocalQuota>();
        services.AddHostedService<QuotaLeaseSweeper>();
        return services;
    }
}
