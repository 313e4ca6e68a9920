using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Turnpike.Cluster;
using Turnpike.RateLimiting;

namespace Turnpike.Hosting;

/// <summary>Configures a silo (standalone or co-hosted by a development edge) from <c>Turnpike:*</c> configuration.</summary>
public static class TurnpikeSiloBuilderExtensions
{
    public static ISiloBuilder UseTurnpikeSilo(this ISiloBuilder silo, IConfiguration configuration)
    {
        var options = TurnpikeClusterConfiguration.ReadForSilo(configuration);
        silo.Services.AddTurnpikeClusterStoreCheck(options);
        silo.Services.AddTurnpikeClusterOptions<SiloClusterOptionsValidator>();
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = options.ResponseTimeout);
        silo.Services.AddOptions<ClusterMembershipOptions>()
            .Configure(TurnpikeClusterConfiguration.MembershipDefaults)
            .Bind(configuration.GetSection(TurnpikeClusterConfiguration.MembershipSection));

        ClusterProviders.ClusteringOf(options).ConfigureSilo(silo, options);
        ClusterProviders.StorageOf(options).ConfigureSilo(silo, options);

        silo.Services.AddSingleton(TimeProvider.System);
        silo.Services.AddOptions<RouteTableOptions>().BindConfiguration(RouteTableOptions.Section).ValidateOnStart();
        silo.Services.AddSingleton<IValidateOptions<RouteTableOptions>, RouteTableOptionsValidator>();
        silo.Services.AddOptions<RateLimitCounterOptions>().BindConfiguration(RateLimitCounterOptions.Section).ValidateOnStart();
        silo.Services.AddSingleton<IValidateOptions<RateLimitCounterOptions>, RateLimitCounterOptionsValidator>();
        silo.Services.AddSingleton<GlobalCounterChannel>();
        silo.Services.AddSingleton<GlobalQuotaMetrics>();
        return silo;
    }
}
