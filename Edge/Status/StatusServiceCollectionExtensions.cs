using Microsoft.Extensions.DependencyInjection;

namespace Turnpike.Edge.Status;

internal static class StatusServiceCollectionExtensions
{
    /// <summary>The status listener's endpoints (<c>/status</c>, <c>/status/ready</c>, <c>/metrics</c>).</summary>
    public static IServiceCollection AddTurnpikeStatus(this IServiceCollection services)
    {
        services.AddSingleton<StatusEndpoints>();
        services.AddSingleton<SiloListEndpoint>();
        return services;
    }
}
