using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Turnpike.Edge.Upstreams;

internal static class UpstreamsServiceCollectionExtensions
{
    /// <summary>Targets and how they are reached: active and passive health, DNS resolution, balancing (the clients to upstreams are the proxy's).</summary>
    public static IServiceCollection AddTurnpikeUpstreams(this IServiceCollection services)
    {
        services.AddSingleton<TargetHealthRegistry>();
        services.AddHostedService<ActiveHealthChecker>();
        services.AddSingleton<UpstreamHealthEndpoints>();
        services.AddSingleton<TargetHealthEndpoints>();
        services.AddOptions<DnsOptions>().BindConfiguration(DnsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DnsOptions>, DnsOptionsValidator>();
        services.AddSingleton<TargetResolver>();
        services.AddSingleton<UpstreamBalancers>();
        services.AddHostedService<DnsRefresher>();
        return services;
    }
}
