using System.Collections.Frozen;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// The schema of each entity kind: the gateway's own kinds, and the credential kinds the plugins bring
/// (<see cref="ICredentialSchema"/>, registered beside each plugin).
/// </summary>
internal sealed class EntitySchemas
{
    private readonly FrozenDictionary<EntityKind, IEntitySchema> _byKind;

    public EntitySchemas(
        ServiceSchema services,
        RouteSchema routes,
        PluginSchema plugins,
        ConsumerSchema consumers,
        UpstreamSchema upstreams,
        TargetSchema targets,
        Authentication.AdminSchema admins,
        CertificateSchema certificates,
        SniSchema snis,
        CaCertificateSchema caCertificates,
        IEnumerable<ICredentialSchema> credentials)
    {
        // In kind order, whatever the registration order: the declarative format nests them under a consumer in this order.
        Credentials = [.. credentials.OrderBy(c => c.Kind)];
        IEntitySchema[] all = [services, routes, plugins, consumers, upstreams, targets, admins, certificates, snis, caCertificates, .. Credentials];
        _byKind = all.ToFrozenDictionary(s => s.Kind);
    }

    /// <summary>The credential kinds (consumer-scoped kinds), in <see cref="EntityKind"/> order.</summary>
    public IReadOnlyList<ICredentialSchema> Credentials { get; }

    /// <summary>The schema of the kind whose table (and <c>/schemas</c>) name is <paramref name="tableName"/>; null for any other name.</summary>
    public IEntitySchema? Find(string tableName) => _byKind.Values.FirstOrDefault(s => s.Kind.TableName() == tableName);

    public IEntitySchema For(EntityKind kind) =>
        _byKind.TryGetValue(kind, out var schema) ? schema : throw new ArgumentOutOfRangeException(nameof(kind), kind, "no schema is registered for this kind");
}
