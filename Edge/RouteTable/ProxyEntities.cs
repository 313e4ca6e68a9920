namespace Turnpike.Edge.RouteTable;

/// <summary>
/// The edge's mutable copy of the entities the proxy is compiled from (services, routes, plugins, upstreams,
/// targets, certificates and their SNIs, CA certificates), kept up to date by the sync loop from each table change. Consumers and credentials have their
/// own immutable directory. Records which services and routes changed, and which routes each service has, for the
/// builder's incremental path. Used by one thread at a time.
/// </summary>
internal sealed class ProxyEntities
{
    private readonly HashSet<Guid> _changedServices = [];
    private readonly HashSet<Guid> _changedRoutes = [];
    private readonly Dictionary<Guid, HashSet<Guid>> _routesOfService = [];
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
            _routesOfService.Clear();
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
                EntityKind.Route => Routes.Remove(deleted.Id, out var route) && Unindex(route),
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
                case RouteEntity route: Index(route); break;
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
    /// The services and the routes upserted or deleted since the last call, or null when something else the proxy
    /// compiles changed (a plugin, upstream, target or certificate; a whole table) and everything must be compiled again.
    /// Consumers, credentials and admins are not compiled here: a change of them alone gives two empty lists.
    /// </summary>
    public (IReadOnlyCollection<Guid> Services, IReadOnlyCollection<Guid> Routes)? TakeChanges()
    {
        (IReadOnlyCollection<Guid>, IReadOnlyCollection<Guid>)? changes = _othersChanged ? null : ([.. _changedServices], [.. _changedRoutes]);
        _othersChanged = false;
        _changedServices.Clear();
        _changedRoutes.Clear();
        return changes;
    }

    /// <summary>The ids of the routes that name <paramref name="serviceId"/> as their service.</summary>
    public IReadOnlyCollection<Guid> RoutesOf(Guid serviceId) => _routesOfService.TryGetValue(serviceId, out var routes) ? routes : [];

    private void Index(RouteEntity route)
    {
        if (Routes.TryGetValue(route.Id, out var old))
        {
            Unindex(old);
        }

        Routes[route.Id] = route;
        if (route.ServiceId is { } serviceId)
        {
            if (!_routesOfService.TryGetValue(serviceId, out var routes))
            {
                _routesOfService[serviceId] = routes = [];
            }

            routes.Add(route.Id);
        }
    }

    private bool Unindex(RouteEntity route)
    {
        if (route.ServiceId is { } serviceId && _routesOfService.TryGetValue(serviceId, out var routes) && routes.Remove(route.Id) && routes.Count == 0)
        {
            _routesOfService.Remove(serviceId);
        }

        return true;
    }

    private void Note(EntityKind kind, Guid id)
    {
        switch (kind)
        {
            case EntityKind.Route:
                _changedRoutes.Add(id);
                break;
            case EntityKind.Service:
                _changedServices.Add(id);
                break;
            case EntityKind.Plugin or EntityKind.Upstream or EntityKind.Target or EntityKind.Certificate or EntityKind.Sni or EntityKind.CaCertificate:
                _othersChanged = true;
                break;
        }
    }
}
