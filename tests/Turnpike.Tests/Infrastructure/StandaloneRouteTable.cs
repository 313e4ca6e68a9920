using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Admin.Authentication;
using Turnpike.Edge.Consumers;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.RouteTable;
using Turnpike.Edge.Upstreams;
using Turnpike.RouteTable;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// A route table compiled outside an edge, for tests of what <see cref="RouteTableSnapshotBuilder"/> makes of changes:
/// entities applied version by version, each compiled into a snapshot by a builder with its own pooled clients, health
/// registry, DNS resolver and balancers.
/// </summary>
internal sealed class StandaloneRouteTable : IDisposable
{
    private readonly ProxyEntities _entities = new();
    private long _version;

    public StandaloneRouteTable(PluginRegistry plugins, TimeProvider? time = null) => Builder = CreateBuilder(Clients, plugins, time);

    public UpstreamClients Clients { get; } = new();

    public RouteTableSnapshotBuilder Builder { get; }

    /// <summary>A builder outside an edge, for a caller that keeps its own entities (a sync loop).</summary>
    public static RouteTableSnapshotBuilder CreateBuilder(UpstreamClients clients, PluginRegistry plugins, TimeProvider? time = null) => new(
        clients,
        plugins,
        new TargetHealthRegistry(),
        new TargetResolver(Options.Create(new DnsOptions()), TimeProvider.System, NullLogger<TargetResolver>.Instance),
        new UpstreamBalancers(),
        NullLogger<RouteTableSnapshotBuilder>.Instance,
        time);

    /// <summary>Applies the change as the next version and compiles it.</summary>
    public RouteTableSnapshot Apply(GatewayEntity[] upserts, EntityRef[]? deletes = null)
    {
        _entities.Apply(false, upserts, deletes ?? []);
        return Builder.Build(++_version, _entities, ConsumerDirectory.Empty, AdminDirectory.Empty);
    }

    public void Dispose()
    {
        Builder.Dispose();
        Clients.Dispose();
    }
}
