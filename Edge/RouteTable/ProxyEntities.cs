namespace Turnpike.Edge.RouteTable;

/// <summary>
/// The edge's mutable copy of the entities the proxy is compiled from (services, routes, plugins, upstreams,
/// targets, certificates and their SNIs, CA certificates), kept up to date by the sync loop from each table change. Consumers and credentials have their
/// own immutable directory. Records which routes changed, for the builder's route-only path. Used by one thread at a time.
/// </summary>
internal sealed class ProxyEntities
{
    private readonly HashSet<Guid> _changedRoutes = [];
    private bool _othersChanged = true;

    public Dictionary<Guid, ServiceEntity> Services { get; } = [];

    public Dictionary<Guid, RouteEntity> Routes { get; } = [];

    public Dictionary<Guid, PluginEntity> Plugins { get; } = [];

    public Dictionary<Guid, UpstreamEntity> Upstreams { get; } = [];

    public Dictionary<Guid, TargetEntity> Targets { get; } = [];

    public Dictionary<Guid, CertificateEntity> Certificates { get; } = [];

    public Dictionary<Guid, SniEntity> Snis { get; } = [];

    public Dictionary<Guid, CaCertificateEntity> CaCertificates { get; } = [];

    public void Apply(bool full, IEnumerable<GatewayEntity> upserts, IEnumerable<EntityRef> deletes)
    {
        if (full)
        {
            _othersChanged = true;
            Services.Clear();
            Routes.Clear();
            Plugins.Clear();
            Upstreams.Clear();
            Targets.Clear();
            Certificates.Clear();
            Snis.Clear();
            CaCertificates.Clear();
        }

        foreach (var deleted in deletes)
        {
            Note(deleted.Kind, deleted.Id);
            _ = deleted.Kind switch
            {
                EntityKind.Service => Services.Remove(deleted.Id),
                EntityKind.Route => Routes.Remove(deleted.Id),
                EntityKind.Plugin => Plugins.Remove(deleted.Id),
                EntityKind.Upstream => Upstreams.Remove(deleted.Id),
                EntityKind.Target => Targets.Remove(deleted.Id),
                EntityKind.Certificate => Certificates.Remove(deleted.Id),
                EntityKind.Sni => Snis.Remove(deleted.Id),
                EntityKind.CaCertificate => CaCertificates.Remove(deleted.Id),
                _ => false, // consumers and credentials: the consumer directory applies them
            };
        }

        foreach (var entity in upserts)
        {
            Note(entity.Kind, entity.Id);
            switch (entity)
            {
                case ServiceEntity service: Services[service.Id] = service; break;
                case RouteEntity route: Routes[route.Id] = route; break;
                case PluginEntity plugin: Plugins[plugin.Id] = plugin; break;
                case UpstreamEntity upstream: Upstreams[upstream.Id] = upstream; break;
                case TargetEntity target: Targets[target.Id] = target; break;
                case CertificateEntity certificate: Certificates[certificate.Id] = certificate; break;
                case SniEntity sni: Snis[sni.Id] = sni; break;
                case CaCertificateEntity ca: CaCertificates[ca.Id] = ca; break;
            }
        }
    }

    /// <summary>
    /// The routes upserted or deleted since the last call, or null when something else the proxy compiles changed (a
    /// service, plugin, upstream, target or certificate; a whole table) and everything must be compiled again.
    /// Consumers, credentials and admins are not compiled here: a change of them alone gives an empty list.
    /// </summary>
    public IReadOnlyCollection<Guid>? TakeRouteChanges()
    {
        IReadOnlyCollection<Guid>? changes = _othersChanged ? null : [.. _changedRoutes];
        _othersChanged = false;
        _changedRoutes.Clear();
        return changes;
    }

    private void Note(EntityKind kind, Guid id)
    {
        switch (kind)
        {
            case EntityKind.Route:
                _changedRoutes.Add(id);
                break;
            case EntityKind.Service or EntityKind.Plugin or EntityKind.Upstream or EntityKind.Target or EntityKind.Certificate or EntityKind.Sni or EntityKind.CaCertificate:
                _othersChanged = true;
                break;
        }
    }
}
