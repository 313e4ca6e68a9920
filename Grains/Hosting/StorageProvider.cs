using Turnpike.Cluster;

namespace Turnpike.Hosting;

/// <summary>One grain storage provider (<c>Turnpike:Cluster:Storage</c>); only silos keep grain state, so it has no client side.</summary>
public sealed record StorageProvider(string Name, Action<ISiloBuilder, TurnpikeClusterOptions> ConfigureSilo);
