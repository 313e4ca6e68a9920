using Microsoft.Extensions.DependencyInjection;
using Turnpike.Metering;

namespace Turnpike.Edge.Billing;

internal static class BillingServiceCollectionExtensions
{
    /// <summary>The admin API's usage and billing reads over what metering sent to the cluster.</summary>
    public static IServiceCollection AddTurnpikeBilling(this IServiceCollection services)
    {
        services.AddSingleton<UsageReader>();
        services.AddSingleton<RegionUsage>();
        services.AddSingleton<BillingEndpoints>();
        services.AddSingleton<Plugins.AiBudget.AiBudgetEndpoints>();
        return services;
    }
}
