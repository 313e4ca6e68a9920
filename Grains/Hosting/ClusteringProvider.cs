using Turnpike.Cluster;

namespace Turnpike.Hosting;

/// <summary>
/// One membership provider (<c>Turnpike:Cluster:Clustering</c>): how a silo joins with it and how an edge finds
/// the silos' gateways with it. Both sides sit in one entry so a provider cannot be added to one and forgotten in the other.
/// </summary>
public sealed record ClusteringProvider(
    string Name,
    Action<ISiloBuilder, TurnpikeClusterOptions> ConfigureSilo,
    Action<IClientBuilder, TurnpikeClusterOptions> ConfigureClient);
