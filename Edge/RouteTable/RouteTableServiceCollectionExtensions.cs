using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Hosting;

namespace Turnpike.Edge.RouteTable;

internal static class RouteTableServiceCollectionExtensions
{
    /// <summary>The edge's mirror of the cluster's route table: the store the proxy reads, its builder, the sync loop.</summary>
    public static IServiceCollection AddTurnpikeRouteTable(this IServiceCollection services)
    {
        services.AddSingleton<RouteTableStore>();
        services.AddSingleton<RouteTableSnapshotBuilder>();
        services.AddSingleton<RouteTableSyncMetrics>();
        services.AddOptions<EdgeOptions>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<EdgeOptions>, RouteTableSyncOptionsValidator>();
        services.AddHostedService<RouteTableSync>();
        return services;
    }
}
