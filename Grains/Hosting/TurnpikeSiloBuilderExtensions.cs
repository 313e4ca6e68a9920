using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using StackExchange.Redis;
using Turnpike.Cluster;
using Turnpike.RateLimiting;

namespace Turnpike.Hosting;

/// <summary>Configures a silo (standalone or co-hosted by a development edge) from <c>Turnpike:*</c> configuration.</summary>
public static class TurnpikeSiloBuilderExtensions
{
    public static ISiloBuilder UseTurnpikeSilo(this ISiloBuilder silo, IConfiguration configuration)
    {
        var options = TurnpikeClusterConfiguration.Read(configuration, forSilo: true);
        silo.Services.AddTurnpikeClusterStoreCheck(options);
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = options.ResponseTimeout);
        silo.Services.AddOptions<ClusterMembershipOptions>()
            .Configure(TurnpikeClusterConfiguration.MembershipDefaults)
            .Bind(configuration.GetSection(TurnpikeClusterConfiguration.MembershipSection));

        switch (options.Clustering)
        {
            case var c when Is(c, ClusteringProviders.AdoNet):
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = options.AdoNet.Invariant;
                    o.ConnectionString = options.AdoNet.ConnectionString;
                });
                silo.ConfigureEndpoints(options.ParsedAdvertisedAddress(), options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: false);
                break;
            case var c when Is(c, ClusteringProviders.Redis):
                silo.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(options.Redis.ConnectionString));
                silo.ConfigureEndpoints(options.ParsedAdvertisedAddress(), options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: false);
                break;
            default:
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, options.ParsedPrimarySiloEndpoint(), options.ServiceId, options.ClusterId);
                break;
        }

        switch (options.Storage)
        {
            case var s when Is(s, StorageProviders.AdoNet):
                silo.AddAdoNetGrainStorage(GrainStorageNames.Default, o =>
                {
                    o.Invariant = options.AdoNet.Invariant;
                    o.ConnectionString = options.AdoNet.ConnectionString;
                });
                break;
            case var s when Is(s, StorageProviders.Redis):
                silo.AddRedisGrainStorage(GrainStorageNames.Default, o => o.ConfigurationOptions = ConfigurationOptions.Parse(options.Redis.ConnectionString));
                break;
            default:
                silo.AddMemoryGrainStorage(GrainStorageNames.Default);
                break;
        }

        silo.Services.AddSingleton(TimeProvider.System);
        silo.Services.AddOptions<RouteTableOptions>().BindConfiguration(RouteTableOptions.Section);
        silo.Services.AddOptions<RateLimitCounterOptions>().BindConfiguration(RateLimitCounterOptions.Section)
            .Validate(o => o.MaxLeaseDuration > TimeSpan.Zero, $"{RateLimitCounterOptions.Section}:MaxLeaseDuration must be positive")
            .ValidateOnStart();
        return silo;
    }

    private static bool Is(string value, string provider) => string.Equals(value, provider, StringComparison.OrdinalIgnoreCase);
}
