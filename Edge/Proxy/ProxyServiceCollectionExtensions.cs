using Microsoft.Extensions.DependencyInjection;

namespace Turnpike.Edge.Proxy;

internal static class ProxyServiceCollectionExtensions
{
    /// <summary>The proxy listener's middleware, its clients to upstreams and YARP's forwarder it sends requests through.</summary>
    public static IServiceCollection AddTurnpikeProxy(this IServiceCollection services)
    {
        services.AddSingleton<UpstreamClients>();
        services.AddSingleton<ProxyMiddleware>();
        services.AddHttpForwarder();

        // AI reservations no exchange settled are given back before anything is logged or metered (LogPhaseOrder.AiSettlement).
        services.AddSingleton<IRequestLogPhase, Ai.AiSettlementLog>();
        return services;
    }
}
