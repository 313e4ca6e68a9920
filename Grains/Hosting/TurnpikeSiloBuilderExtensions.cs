using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Turnpike.Cluster;

namespace Turnpike.Hosting;

/// <summary>Configures a silo (standalone or co-hosted by a development edge) from <c>Turnpike:*</c> configuration.</summary>
public static class TurnpikeSiloBuilderExtensions
{
    public static ISiloBuilder UseTurnpikeSilo(this ISiloBuilder silo, IConfiguration configuration)
    {
        var options = configuration.GetSection(TurnpikeClusterOptions.Section).Get<TurnpikeClusterOptions>() ?? new();
        var problems = options.Validate(forSilo: true);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid silo configuration: " + string.Join(" ", problems));
        }

        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });

        // Validated above: Localhost is the one clustering provider this build has.
        silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, options.ParsedPrimarySiloEndpoint(), options.ServiceId, options.ClusterId);
        silo.AddMemoryGrainStorage(GrainStorageNames.Default);

        silo.Services.AddSingleton(TimeProvider.System);
        silo.Services.AddOptions<RouteTableOptions>().BindConfiguration(RouteTableOptions.Section);
        return silo;
    }
}
