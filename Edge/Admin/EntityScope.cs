namespace Turnpike.Edge.Admin;

/// <summary>A nested endpoint's parent, e.g. <c>/services/{service}/routes</c>: the child's foreign key field and the parent's kind.</summary>
internal sealed record EntityScope(string Field, EntityKind ParentKind, string RouteParameter)
{
    public static readonly EntityScope Service = new("service", EntityKind.Service, "service");
    public static readonly EntityScope Route = new("route", EntityKind.Route, "route");
    public static readonly EntityScope Consumer = new("consumer", EntityKind.Consumer, "consumer");
    public static readonly EntityScope Upstream = new("upstream", EntityKind.Upstream, "upstream");
    public static readonly EntityScope Certificate = new("certificate", EntityKind.Certificate, "certificate");

    public static Guid? ParentOf(GatewayEntity entity, string field) => (entity, field) switch
    {
        (RouteEntity r, "service") => r.ServiceId,
        (PluginEntity p, "service") => p.ServiceId,
        (PluginEntity p, "route") => p.RouteId,
        (PluginEntity p, "consumer") => p.ConsumerId,
        (IConsumerScopedEntity owned, "consumer") => owned.ConsumerId,
        (TargetEntity t, "upstream") => t.UpstreamId,
        (SniEntity s, "certificate") => s.CertificateId,
        _ => null,
    };
}
