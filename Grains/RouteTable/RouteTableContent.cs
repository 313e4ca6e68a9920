using System.Collections.Immutable;

namespace Turnpike.RouteTable;

/// <summary>
/// An immutable route table. <see cref="Apply"/> produces the next table or an error, never a half-applied one,
/// and enforces what only the whole table can: unique names, references, and what a delete takes with it.
/// Field-level validation happens before an entity gets here (the admin API's schemas).
/// </summary>
internal sealed record RouteTableContent
{
    public static readonly RouteTableContent Empty = new();

    public EntitySet<ServiceEntity> Services { get; private init; } = EntitySet<ServiceEntity>.Empty;

    public EntitySet<RouteEntity> Routes { get; private init; } = EntitySet<RouteEntity>.Empty;

    public EntitySet<PluginEntity> Plugins { get; private init; } = EntitySet<PluginEntity>.Empty;

    public EntitySet<ConsumerEntity> Consumers { get; private init; } = EntitySet<ConsumerEntity>.Empty;

    /// <summary>
    /// The consumer-scoped kinds (credentials, ACL groups), one set per kind: every such kind is stored, found, kept unique
    /// and deleted with its consumer alike, from what its records declare (<see cref="IConsumerScopedEntity"/>).
    /// </summary>
    public ImmutableDictionary<EntityKind, EntitySet<GatewayEntity>> Owned { get; private init; } = ImmutableDictionary<EntityKind, EntitySet<GatewayEntity>>.Empty;

    public EntitySet<UpstreamEntity> Upstreams { get; private init; } = EntitySet<UpstreamEntity>.Empty;

    public EntitySet<TargetEntity> Targets { get; private init; } = EntitySet<TargetEntity>.Empty;

    public EntitySet<AdminEntity> Admins { get; private init; } = EntitySet<AdminEntity>.Empty;

    public EntitySet<CertificateEntity> Certificates { get; private init; } = EntitySet<CertificateEntity>.Empty;

    public EntitySet<SniEntity> Snis { get; private init; } = EntitySet<SniEntity>.Empty;

    public EntitySet<CaCertificateEntity> CaCertificates { get; private init; } = EntitySet<CaCertificateEntity>.Empty;

    public static RouteTableContent From(IReadOnlyCollection<GatewayEntity> entities) => new()
    {
        Services = EntitySet<ServiceEntity>.From(entities.OfType<ServiceEntity>()),
        Routes = EntitySet<RouteEntity>.From(entities.OfType<RouteEntity>()),
        Plugins = EntitySet<PluginEntity>.From(entities.OfType<PluginEntity>()),
        Consumers = EntitySet<ConsumerEntity>.From(entities.OfType<ConsumerEntity>()),
        Owned = entities.Where(e => e is IConsumerScopedEntity).GroupBy(e => e.Kind)
            .ToImmutableDictionary(g => g.Key, g => EntitySet<GatewayEntity>.From(g)),
        Upstreams = EntitySet<UpstreamEntity>.From(entities.OfType<UpstreamEntity>()),
        Targets = EntitySet<TargetEntity>.From(entities.OfType<TargetEntity>()),
        Admins = EntitySet<AdminEntity>.From(entities.OfType<AdminEntity>()),
        Certificates = EntitySet<CertificateEntity>.From(entities.OfType<CertificateEntity>()),
        Snis = EntitySet<SniEntity>.From(entities.OfType<SniEntity>()),
        CaCertificates = EntitySet<CaCertificateEntity>.From(entities.OfType<CaCertificateEntity>()),
    };

    /// <summary>The entities a consumer owns (credentials, ACL groups), which go when it goes.</summary>
    public IEnumerable<GatewayEntity> ConsumerScoped =>
        Owned.OrderBy(o => o.Key).SelectMany(o => o.Value.ById.Values);

    /// <summary>The entities of one consumer-scoped kind (none for a kind never stored).</summary>
    public EntitySet<GatewayEntity> OwnedOf(EntityKind kind) => Owned.GetValueOrDefault(kind) ?? EntitySet<GatewayEntity>.Empty;

    public IEnumerable<GatewayEntity> All() =>
        Services.ById.Values.Cast<GatewayEntity>().Concat(Routes.ById.Values).Concat(Plugins.ById.Values).Concat(Consumers.ById.Values)
            .Concat(ConsumerScoped).Concat(Upstreams.ById.Values).Concat(Targets.ById.Values).Concat(Admins.ById.Values)
            .Concat(Certificates.ById.Values).Concat(Snis.ById.Values).Concat(CaCertificates.ById.Values);

    public GatewayEntity? Find(EntityKind kind, Guid id) => kind switch
    {
        EntityKind.Service => Services.Find(id),
        EntityKind.Route => Routes.Find(id),
        EntityKind.Plugin => Plugins.Find(id),
        EntityKind.Consumer => Consumers.Find(id),
        EntityKind.Upstream => Upstreams.Find(id),
        EntityKind.Target => Targets.Find(id),
        EntityKind.Admin => Admins.Find(id),
        EntityKind.Certificate => Certificates.Find(id),
        EntityKind.Sni => Snis.Find(id),
        EntityKind.CaCertificate => CaCertificates.Find(id),
        _ => OwnedOf(kind).Find(id),
    };

    public GatewayEntity? Find(EntityKind kind, string idOrName) => kind switch
    {
        EntityKind.Service => Services.Find(idOrName),
        EntityKind.Route => Routes.Find(idOrName),
        EntityKind.Plugin => Plugins.Find(idOrName),
        EntityKind.Consumer => Consumers.Find(idOrName),
        EntityKind.Upstream => Upstreams.Find(idOrName),
        EntityKind.Target => Targets.Find(idOrName),
        EntityKind.Admin => Admins.Find(idOrName),

        // Server names are case-insensitive and stored in lower case; Kong finds a certificate by one of its SNIs too.
        EntityKind.Sni => Snis.Find(EntityIds.TryParse(idOrName, out _) ? idOrName : idOrName.ToLowerInvariant()),
        EntityKind.Certificate => EntityIds.TryParse(idOrName, out var certificateId)
            ? Certificates.Find(certificateId)
            : Snis.FindByName(idOrName.ToLowerInvariant()) is { } sni ? Certificates.Find(sni.CertificateId) : null,
        EntityKind.CaCertificate => CaCertificates.Find(idOrName),
        _ => OwnedOf(kind).Find(idOrName),
    };

    /// <summary>Applies a write at time <paramref name="now"/> (unix seconds).</summary>
    public RouteTableApplyResult Apply(RouteTableWrite write, long now)
    {
        // A replacement is the declarative configuration, which has no admins: they stay as they are.
        var table = write.ReplaceAll ? Empty with { Admins = Admins } : this;
        var deleted = new List<EntityRef>();
        foreach (var reference in write.Deletes)
        {
            if (table.Find(reference.Kind, reference.Id) is not null)
            {
                table = table.Without(reference);
                deleted.Add(reference);
            }
        }

        var stored = new GatewayEntity[write.Upserts.Length];
        for (var i = 0; i < write.Upserts.Length; i++)
        {
            var entity = write.Upserts[i];
            if ((write.ReplaceAll || write.InsertOnly) && table.FindAny(entity.Id) is not null)
            {
                return RouteTableApplyResult.Failed(AdminError.PrimaryKeyViolation(entity.Id), i);
            }

            var previous = Find(entity.Kind, entity.Id);
            if (previous is null && FindAny(entity.Id) is { } other && other.Kind != entity.Kind)
            {
                return RouteTableApplyResult.Failed(AdminError.PrimaryKeyViolation(entity.Id), i);
            }

            // An admin written without a token hash (a PATCH or PUT of its other fields) keeps the stored one. Filled
            // in here, inside the grain's turn, so an edit racing a token rotation cannot bring the old token back.
            if (entity is AdminEntity { TokenHash.Length: 0 } admin)
            {
                if (previous is not AdminEntity storedAdmin)
                {
                    return RouteTableApplyResult.Failed(AdminError.SchemaViolation("token", "required field missing"));
                }

                entity = admin with { TokenSalt = storedAdmin.TokenSalt, TokenHash = storedAdmin.TokenHash };
            }

            entity = entity with
            {
                CreatedAt = previous?.CreatedAt ?? (entity.CreatedAt > 0 ? entity.CreatedAt : now),
                UpdatedAt = now,
            };
            if (table.NameConflict(entity) is { } conflict)
            {
                return RouteTableApplyResult.Failed(conflict, i);
            }

            table = table.With(entity);
            stored[i] = entity;
        }

        for (var i = 0; i < stored.Length; i++)
        {
            if (table.MissingReference(stored[i]) is { } missing)
            {
                return RouteTableApplyResult.Failed(missing, i);
            }
        }

        // Deleting a service that routes still use is refused (Kong); plugins go with what they were scoped to.
        foreach (var reference in deleted.ToArray())
        {
            if (reference.Kind == EntityKind.Service && table.Routes.ById.Values.Any(r => r.ServiceId == reference.Id))
            {
                return RouteTableApplyResult.Failed(AdminError.ReferencedByOthers(EntityKind.Service, EntityKind.Route));
            }

            if (table.InUse(reference) is { } inUse)
            {
                return RouteTableApplyResult.Failed(inUse);
            }

            foreach (var plugin in table.Plugins.ById.Values.Where(p => p.ServiceId == reference.Id || p.RouteId == reference.Id || p.ConsumerId == reference.Id).ToList())
            {
                var pluginRef = new EntityRef(EntityKind.Plugin, plugin.Id);
                table = table.Without(pluginRef);
                deleted.Add(pluginRef);
            }

            // An upstream's targets go with it.
            if (reference.Kind == EntityKind.Upstream)
            {
                foreach (var target in table.Targets.ById.Values.Where(t => t.UpstreamId == reference.Id).ToList())
                {
                    var targetRef = new EntityRef(EntityKind.Target, target.Id);
                    table = table.Without(targetRef);
                    deleted.Add(targetRef);
                }
            }

            // A certificate's SNIs go with it (Kong's cascade).
            if (reference.Kind == EntityKind.Certificate)
            {
                foreach (var sni in table.Snis.ById.Values.Where(s => s.CertificateId == reference.Id).ToList())
                {
                    var sniRef = new EntityRef(EntityKind.Sni, sni.Id);
                    table = table.Without(sniRef);
                    deleted.Add(sniRef);
                }
            }

            // A consumer's credentials go with it.
            if (reference.Kind == EntityKind.Consumer)
            {
                var owned = table.ConsumerScoped.Where(e => ((IConsumerScopedEntity)e).ConsumerId == reference.Id)
                    .Select(e => new EntityRef(e.Kind, e.Id))
                    .ToList();
                foreach (var credential in owned)
                {
                    table = table.Without(credential);
                    deleted.Add(credential);
                }
            }
        }

        if (write.ReplaceAll)
        {
            deleted.AddRange(All().Where(e => table.Find(e.Kind, e.Id) is null).Select(e => new EntityRef(e.Kind, e.Id)));
        }

        return new RouteTableApplyResult(table, stored, deleted.Distinct().ToArray(), null);
    }

    private GatewayEntity? FindAny(Guid id) => Enum.GetValues<EntityKind>().Select(kind => Find(kind, id)).FirstOrDefault(e => e is not null);

    /// <summary>
    /// The home region's changes applied as they are: the home validated and stamped them, and a replica that checked
    /// again (or stamped its own times) could come to differ from its home.
    /// </summary>
    public RouteTableContent Replicated(RouteTableDelta delta)
    {
        if (delta.IsFullSnapshot)
        {
            return From(delta.Upserts);
        }

        var table = this;
        foreach (var reference in delta.Deletes)
        {
            if (table.Find(reference.Kind, reference.Id) is not null)
            {
                table = table.Without(reference);
            }
        }

        foreach (var entity in delta.Upserts)
        {
            table = table.With(entity);
        }

        return table;
    }

    private RouteTableContent With(GatewayEntity entity) => entity switch
    {
        ServiceEntity s => this with { Services = Services.Put(s) },
        RouteEntity r => this with { Routes = Routes.Put(r) },
        PluginEntity p => this with { Plugins = Plugins.Put(p) },
        ConsumerEntity c => this with { Consumers = Consumers.Put(c) },
        UpstreamEntity u => this with { Upstreams = Upstreams.Put(u) },
        TargetEntity t => this with { Targets = Targets.Put(t) },
        AdminEntity a => this with { Admins = Admins.Put(a) },
        CertificateEntity c => this with { Certificates = Certificates.Put(c) },
        SniEntity s => this with { Snis = Snis.Put(s) },
        CaCertificateEntity c => this with { CaCertificates = CaCertificates.Put(c) },
        IConsumerScopedEntity => this with { Owned = Owned.SetItem(entity.Kind, OwnedOf(entity.Kind).Put(entity)) },
        _ => throw new ArgumentException($"Unknown entity type {entity.GetType()}", nameof(entity)),
    };

    private RouteTableContent Without(EntityRef reference) => reference.Kind switch
    {
        EntityKind.Service => this with { Services = Services.Remove(reference.Id) },
        EntityKind.Route => this with { Routes = Routes.Remove(reference.Id) },
        EntityKind.Plugin => this with { Plugins = Plugins.Remove(reference.Id) },
        EntityKind.Consumer => this with { Consumers = Consumers.Remove(reference.Id) },
        EntityKind.Upstream => this with { Upstreams = Upstreams.Remove(reference.Id) },
        EntityKind.Target => this with { Targets = Targets.Remove(reference.Id) },
        EntityKind.Admin => this with { Admins = Admins.Remove(reference.Id) },
        EntityKind.Certificate => this with { Certificates = Certificates.Remove(reference.Id) },
        EntityKind.Sni => this with { Snis = Snis.Remove(reference.Id) },
        EntityKind.CaCertificate => this with { CaCertificates = CaCertificates.Remove(reference.Id) },
        _ when Owned.TryGetValue(reference.Kind, out var owned) => this with { Owned = Owned.SetItem(reference.Kind, owned.Remove(reference.Id)) },
        _ => this,
    };

    private AdminError? NameConflict(GatewayEntity entity)
    {
        switch (entity)
        {
            case PluginEntity plugin:
                if (plugin.InstanceName is { } instance && Plugins.ByName.TryGetValue(instance, out var holder) && holder != plugin.Id)
                {
                    return AdminError.UniqueViolation("instance_name", instance);
                }

                // Kong allows one instance of a plugin per scope (its cache key).
                var clash = Plugins.ById.Values.FirstOrDefault(p => p.Id != plugin.Id && p.Name == plugin.Name
                    && p.ServiceId == plugin.ServiceId && p.RouteId == plugin.RouteId && p.ConsumerId == plugin.ConsumerId);
                return clash is null ? null : new AdminError
                {
                    Code = AdminError.UniqueViolationCode,
                    Name = "unique constraint violation",
                    Message = $"UNIQUE violation detected on '{{consumer={Ref(plugin.ConsumerId)},name=\"{plugin.Name}\",route={Ref(plugin.RouteId)},service={Ref(plugin.ServiceId)}}}'",
                    Fields = new() { ["name"] = plugin.Name },
                    HttpStatus = 409,
                };
            case ConsumerEntity consumer:
                if (consumer.Username is { } username && Consumers.ByName.TryGetValue(username, out var owner) && owner != consumer.Id)
                {
                    return AdminError.UniqueViolation("username", username);
                }

                // custom_id is unique too; consumers are few enough per write that a scan is cheaper than a second index.
                return consumer.CustomId is { } customId
                    && Consumers.ById.Values.Any(c => c.Id != consumer.Id && c.CustomId == customId)
                    ? AdminError.UniqueViolation("custom_id", customId)
                    : null;
            case IConsumerScopedEntity owned:
                return Taken(OwnedOf(entity.Kind), entity, owned.UniqueField, owned.UniqueValue);
            case UpstreamEntity upstream:
                return Taken(Upstreams, upstream, "name", upstream.Name);
            case TargetEntity target:
                return Taken(Targets, target, "target", target.Target);
            case AdminEntity admin:
                return Taken(Admins, admin, "username", admin.Username);
            case SniEntity sni:
                return Taken(Snis, sni, "name", sni.Name);
            case CaCertificateEntity ca:
                return Taken(CaCertificates, ca, "cert_digest", ca.CertDigest);
            case CertificateEntity:
                return null; // no unique field: Kong allows the same certificate twice
            default:
                if (entity.UniqueName is not { } name)
                {
                    return null;
                }

                var names = entity.Kind == EntityKind.Service ? Services.ByName : Routes.ByName;
                return names.TryGetValue(name, out var id) && id != entity.Id ? AdminError.UniqueViolation("name", name) : null;
        }

        static string Ref(Guid? id) => id is { } g ? $"{{id=\"{g}\"}}" : "null";

        // The entity's unique name (per parent where it has one) held by another entity of its kind.
        static AdminError? Taken<T>(EntitySet<T> set, T entity, string field, string value) where T : GatewayEntity =>
            set.ByName.TryGetValue(entity.UniqueName!, out var holder) && holder != entity.Id ? AdminError.UniqueViolation(field, value) : null;
    }

    private AdminError? MissingReference(GatewayEntity entity) => entity switch
    {
        RouteEntity { ServiceId: { } serviceId } when Services.Find(serviceId) is null =>
            AdminError.ForeignKeyViolation("service", serviceId, EntityKind.Service),
        PluginEntity { ServiceId: { } serviceId } when Services.Find(serviceId) is null =>
            AdminError.ForeignKeyViolation("service", serviceId, EntityKind.Service),
        PluginEntity { RouteId: { } routeId } when Routes.Find(routeId) is null =>
            AdminError.ForeignKeyViolation("route", routeId, EntityKind.Route),
        PluginEntity { ConsumerId: { } consumerId } when Consumers.Find(consumerId) is null =>
            AdminError.ForeignKeyViolation("consumer", consumerId, EntityKind.Consumer),
        TargetEntity target when Upstreams.Find(target.UpstreamId) is null =>
            AdminError.ForeignKeyViolation("upstream", target.UpstreamId, EntityKind.Upstream),
        IConsumerScopedEntity owned when Consumers.Find(owned.ConsumerId) is null =>
            AdminError.ForeignKeyViolation("consumer", owned.ConsumerId, EntityKind.Consumer),
        SniEntity sni when Certificates.Find(sni.CertificateId) is null =>
            AdminError.ForeignKeyViolation("certificate", sni.CertificateId, EntityKind.Certificate),
        ServiceEntity { ClientCertificateId: { } certificateId } when Certificates.Find(certificateId) is null =>
            AdminError.ForeignKeyViolation("client_certificate", certificateId, EntityKind.Certificate),
        ServiceEntity { CaCertificates: { } authorities } => MissingAuthority(authorities),
        _ => null,
    };

    private AdminError? MissingAuthority(Guid[] authorities)
    {
        for (var i = 0; i < authorities.Length; i++)
        {
            if (CaCertificates.Find(authorities[i]) is null)
            {
                return AdminError.ForeignKeyViolationAt($"ca_certificates[{i}]", authorities[i], EntityKind.CaCertificate);
            }
        }

        return null;
    }

    /// <summary>
    /// Why a deleted certificate or CA certificate may not go: a service still presents it to its upstream or trusts it.
    /// Checked against the table after the write, so a write that also changes the service may delete it.
    /// </summary>
    private AdminError? InUse(EntityRef deleted) => deleted.Kind switch
    {
        EntityKind.Certificate when Services.ById.Values.Any(s => s.ClientCertificateId == deleted.Id) =>
            AdminError.ReferencedByOthers(EntityKind.Certificate, EntityKind.Service),
        EntityKind.CaCertificate when Services.ById.Values.FirstOrDefault(s => s.CaCertificates?.Contains(deleted.Id) == true) is { } service =>
            AdminError.StillReferenced($"ca certificate {deleted.Id} is still referenced by services (id = {service.Id})"),
        _ => null,
    };
}

internal sealed record RouteTableApplyResult(RouteTableContent? Table, GatewayEntity[] Stored, EntityRef[] Deleted, AdminError? Error)
{
    /// <summary>The index in the write's upserts of the entity the error is about; -1 when it is about none.</summary>
    public int FailedAt { get; init; } = -1;

    public static RouteTableApplyResult Failed(AdminError error, int failedAt = -1) => new(null, [], [], error) { FailedAt = failedAt };
}
