namespace Turnpike.Edge.RouteTable;

/// <summary>
/// The edge's mutable copy of the entities the proxy is compiled from (services, routes, plugins, upstreams,
/// targets, certificates and their SNIs, CA certificates), kept up to date by the sync loop from each table change. Consumers and credentials have their
/// own immutable directory. Used by one thread at a time.
/// </summary>
internal sealed class ProxyEntities
{
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
}
