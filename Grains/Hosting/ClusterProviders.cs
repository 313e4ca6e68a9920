using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Turnpike.Cluster;

namespace Turnpike.Hosting;

/// <summary>
/// The one table of clustering and storage providers, read by silos (<see cref="TurnpikeSiloBuilderExtensions"/>) and
/// edges (the Orleans client). Adding a provider (e.g. Cassandra, docs/operations.md) means adding its package and an entry here.
/// </summary>
public static class ClusterProviders
{
    public static readonly IReadOnlyList<ClusteringProvider> Clustering =
    [
        new(
            ClusteringProviders.Localhost,
            (silo, o) => silo.UseLocalhostClustering(o.SiloPort, o.GatewayPort, o.ParsedPrimarySiloEndpoint(), o.ServiceId, o.ClusterId),
            (client, o) => client.UseStaticClustering(o.ParsedGateways())),
        new(
            ClusteringProviders.AdoNet,
            (silo, o) =>
            {
                silo.UseAdoNetClustering(a =>
                {
                    a.Invariant = o.AdoNet.Invariant;
                    a.ConnectionString = o.AdoNet.ConnectionString;
                });
                Advertise(silo, o);
            },
            (client, o) => client.UseAdoNetClustering(a =>
            {
                a.Invariant = o.AdoNet.Invariant;
                a.ConnectionString = o.AdoNet.ConnectionString;
            })),
        new(
            ClusteringProviders.Redis,
            (silo, o) =>
            {
                silo.UseRedisClustering(r => r.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(o.Redis.ConnectionString));
                Advertise(silo, o);
            },
            (client, o) => client.UseRedisClustering(r => r.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(o.Redis.ConnectionString))),
    ];

    public static readonly IReadOnlyList<StorageProvider> Storage =
    [
        new(StorageProviders.Memory, (silo, _) => silo.AddMemoryGrainStorage(GrainStorageNames.Default)),
        new(StorageProviders.AdoNet, (silo, o) => silo.AddAdoNetGrainStorage(GrainStorageNames.Default, a =>
        {
            a.Invariant = o.AdoNet.Invariant;
            a.ConnectionString = o.AdoNet.ConnectionString;
        })),
        new(StorageProviders.Redis, (silo, o) => silo.AddRedisGrainStorage(
            GrainStorageNames.Default, r => r.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(o.Redis.ConnectionString))),
    ];

    /// <summary>The entry <c>Turnpike:Cluster:Clustering</c> names (case-insensitive); validated options always have one.</summary>
    public static ClusteringProvider ClusteringOf(TurnpikeClusterOptions options) =>
        Clustering.FirstOrDefault(p => string.Equals(p.Name, options.Clustering, StringComparison.OrdinalIgnoreCase))
        ?? throw new ConfigurationProblemException($"{TurnpikeClusterOptions.Section}:Clustering '{options.Clustering}' is not in this build.");

    /// <summary>The entry <c>Turnpike:Cluster:Storage</c> names (case-insensitive); validated silo options always have one.</summary>
    public static StorageProvider StorageOf(TurnpikeClusterOptions options) =>
        Storage.FirstOrDefault(p => string.Equals(p.Name, options.Storage, StringComparison.OrdinalIgnoreCase))
        ?? throw new ConfigurationProblemException($"{TurnpikeClusterOptions.Section}:Storage '{options.Storage}' is not in this build.");

    // With a shared membership table the silo must say which address the others and the edges reach it on;
    // localhost clustering has its own fixed endpoints instead.
    private static void Advertise(ISiloBuilder silo, TurnpikeClusterOptions o) =>
        silo.ConfigureEndpoints(o.ParsedAdvertisedAddress(), o.SiloPort, o.GatewayPort, listenOnAnyHostAddress: false);
}
