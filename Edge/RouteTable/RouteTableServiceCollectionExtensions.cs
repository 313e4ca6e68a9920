using Microsoft.Extensions.DependencyInjection;

namespace Turnpike.Edge.RouteTable;

internal static class RouteTableServiceCollectionExtensions
{
    /// <summary>The edge's mirror of the cluster's route table: the store the proxy reads, its builder, the sync loop.</summary>
    public static IServiceCollection AddTurnpikeRouteTable(this IServiceCollection services)
    {
        services.AddSingleton<RouteTableStore>();
        services.AddSingleton<RouteTableSnapshotBuilder>();
        services.AddHostedService<RouteTableSync>();
        return services;
    }
}
