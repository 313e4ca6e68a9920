using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Turnpike.Hosting;
using Turnpike.Regions;

namespace Turnpike.Edge.Regions;

internal static class RegionsServiceCollectionExtensions
{
    /// <summary>
    /// <c>Turnpike:Regions</c> on an edge: validated at start; away from home, admin writes go over the link. A single
    /// region (the default) registers the options and nothing the edge calls.
    /// </summary>
    public static IServiceCollection AddTurnpikeRegions(this IServiceCollection services, IConfiguration configuration)
    {
        var options = RegionOptionsBinding.Read(configuration);
        new EdgeRegionOptionsValidator().ThrowIfInvalid(options);
        if (options.Enabled && configuration.GetValue<bool>("Turnpike:Dev"))
        {
            throw new ConfigurationProblemException("Turnpike:Dev runs one region in one process; it cannot be used with Turnpike:Regions:Peers.");
        }

        if (!options.IsHome && configuration["Turnpike:DeclarativeConfig"] is { Length: > 0 })
        {
            throw new ConfigurationProblemException(
                $"Turnpike:DeclarativeConfig replaces the route table, which only the home region '{options.Home}' writes: start an edge of that region with it.");
        }

        services.AddTurnpikeRegionOptions<EdgeRegionOptionsValidator>();
        services.AddSingleton<RegionLink>();
        services.AddSingleton<HomeRegionWrites>();
        services.AddSingleton<RegionEndpoints>();
        return services;
    }
}
