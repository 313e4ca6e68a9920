using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Turnpike.Edge.Observability;

internal static class ObservabilityServiceCollectionExtensions
{
    /// <summary>The metrics registry (Kong's families and Turnpike's) and the status listener's <c>/metrics</c>.</summary>
    public static IServiceCollection AddTurnpikeObservability(this IServiceCollection services)
    {
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<NodeMetrics>();
        services.AddSingleton<MetricsEndpoint>();
        services.AddSingleton<Logging.LogMetrics>();
        return services;
    }
}
