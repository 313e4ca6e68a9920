namespace Turnpike.RouteTable;

/// <summary>
/// An immutable route table. <see cref="Apply"/> produces the next table or an error, never a half-applied one,
/// and enforces what only the whole table can: unique names, references, and what a delete takes with it.
/// Field-level validation happens before an entity gets here (the admin API's schemas).
/// </summary>
internal sealed class RouteTableContent
{
    public static readonly RouteTableContent Empty = new(
        EntitySet<ServiceEntity>.Empty, EntitySet<RouteEntity>.Empty, EntitySet<PluginEntity>.Empty, EntitySet<ConsumerEntity>.Empty,
        EntitySet<KeyAuthCredentialEntity>.Empty, EntitySet<AclEntity>.Empty, EntitySet<BasicAuthCredentialEntity>.Empty);

    private RouteTableContent(
        EntitySet<ServiceEntity> services,
        EntitySet<RouteEntity> routes,
        EntitySet<PluginEntity> plugins,
        EntitySet<ConsumerEntity> consumers,
        EntitySet<KeyAuthCredentialEntity> keyAuths,
        EntitySet<AclEntity> acls,
        EntitySet<BasicAuthCredentialEntity> basicAuths)
    {
        Services = services;
        Routes = routes;
        Plugins = plugins;
        Consumers = consumers;
        KeyAuths = keyAuths;
        Acls = acls;
        BasicAuths = basicAuths;
    }

    public EntitySet<ServiceEntity> Services { get; }

    public EntitySet<RouteEntity> Routes { get; }

    public EntitySet<PluginEntity> Plugins { get; }

    public EntitySet<ConsumerEntity> Consumers { get; }

    public EntitySet<KeyAuthCredentialEntity> KeyAuths { get; }

    public EntitySet<AclEntity> Acls { get; }

    public EntitySet<BasicAuthCredentialEntity> BasicAuths { get; }

    public static RouteTableContent From(IReadOnlyCollection<GatewayEntity> entities) => new(
        EntitySet<ServiceEntity>.From(entities.OfType<ServiceEntity>()),
        EntitySet<RouteEntity>.From(entities.OfType<RouteEntity>()),
        EntitySet<PluginEntity>.From(entities.OfType<PluginEntity>()),
        EntitySet<ConsumerEntity>.From(entities.OfType<ConsumerEntity>()),
        EntitySet<KeyAuthCredentialEntity>.From(entities.OfType<KeyAuthCredentialEntity>()),
        EntitySet<AclEntity>.From(entities.OfType<AclEntity>()),
        EntitySet<BasicAuthCredentialEntity>.From(entities.OfType<BasicAuthCredentialEntity>()));

    public IEnumerable<GatewayEntity> All() =>
        Services.ById.Values.Cast<GatewayEntity>().Concat(Routes.ById.Values).Concat(Plugins.ById.Values).Concat(Consumers.ById.Values)
            .Concat(KeyAuths.ById.Values).Concat(Acls.ById.Values).Concat(BasicAuths.ById.Values);

    public GatewayEntity? Find(EntityKind kind, Guid id) => kind switch
    {
        EntityKind.Service => Services.Find(id),
        EntityKind.Route => Routes.Find(id),
        EntityKind.Plugin => Plugins.Find(id),
        EntityKind.Consumer => Consumers.Find(id),
        EntityKind.KeyAuthCredential => KeyAuths.Find(id),
        EntityKind.Acl => Acls.Find(id),
        EntityKind.BasicAuthCredential => BasicAuths.Find(id),
        _ => null,
    };

    public GatewayEntity? Find(EntityKind kind, string idOrName) => kind switch
    {
        EntityKind.Service => Services.Find(idOrName),
        EntityKind.Route => Routes.Find(idOrName),
        EntityKind.Plugin => Plugins.Find(idOrName),
        EntityKind.Consumer => Consumers.Find(idOrName),
        EntityKind.KeyAuthCredential => KeyAuths.Find(idOrName),
        EntityKind.Acl => Acls.Find(idOrName),
        EntityKind.BasicAuthCredential => BasicAuths.Find(idOrName),
        _ => null,
    };

    /// <summary>Applies a write at time <paramref name="now"/> (unix seconds).</summary>
    public RouteTableApplyResult Apply(RouteTableWrite write, long now)
    {
        var table = write.ReplaceAll ? Empty : this;
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
                return RouteTableApplyResult.Failed(AdminError.PrimaryKeyViolation(entity.Id));
            }

            var previous = Find(entity.Kind, entity.Id);
            if (previous is null && FindAny(entity.Id) is { } other && other.Kind != entity.Kind)
            {
                return RouteTableApplyResult.Failed(AdminError.PrimaryKeyViolation(entity.Id));
            }

            entity = entity with
            {
                CreatedAt = previous?.CreatedAt ?? (entity.CreatedAt > 0 ? entity.CreatedAt : now),
                UpdatedAt = now,
            };
            if (table.NameConflict(entity) is { } conflict)
            {
                return RouteTableApplyResult.Failed(conflict);
            }

            table = table.With(entity);
            stored[i] = entity;
        }

        foreach (var entity in stored)
        {
            if (table.MissingReference(entity) is { } missing)
            {
                return RouteTableApplyResult.Failed(missing);
            }
        }

        // Deleting a service that routes still use is refused (Kong); plugins go with what they were scoped to.
        foreach (var reference in deleted.ToArray())
        {
            if (reference.Kind == EntityKind.Service && table.Routes.ById.Values.Any(r => r.ServiceId == reference.Id))
            {
                return RouteTableApplyResult.Failed(AdminError.ReferencedByOthers(EntityKind.Service, EntityKind.Route));
            }

            foreach (var plugin in table.Plugins.ById.Values.Where(p => p.ServiceId == reference.Id || p.RouteId == reference.Id || p.ConsumerId == reference.Id).ToList())
            {
                var pluginRef = new EntityRef(EntityKind.Plugin, plugin.Id);
                table = table.Without(pluginRef);
                deleted.Add(pluginRef);
            }

            // A consumer's credentials go with it.
            if (reference.Kind == EntityKind.Consumer)
            {
                var owned = table.KeyAuths.ById.Values.Where(k => k.ConsumerId == reference.Id).Cast<GatewayEntity>()
                    .Concat(table.Acls.ById.Values.Where(a => a.ConsumerId == reference.Id))
                    .Concat(table.BasicAuths.ById.Values.Where(b => b.ConsumerId == reference.Id))
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

    private GatewayEntity? FindAny(Guid id) =>
        (GatewayEntity?)Services.Find(id) ?? (GatewayEntity?)Routes.Find(id) ?? (GatewayEntity?)Plugins.Find(id) ?? (GatewayEntity?)Consumers.Find(id) ?? (GatewayEntity?)KeyAuths.Find(id) ?? (GatewayEntity?)Acls.Find(id)
        ?? BasicAuths.Find(id);

    private RouteTableContent With(GatewayEntity entity) => entity switch
    {
        ServiceEntity s => new(Services.Put(s), Routes, Plugins, Consumers, KeyAuths, Acls, BasicAuths),
        RouteEntity r => new(Services, Routes.Put(r), Plugins, Consumers, KeyAuths, Acls, BasicAuths),
        PluginEntity p => new(Services, Routes, Plugins.Put(p), Consumers, KeyAuths, Acls, BasicAuths),
        ConsumerEntity c => new(Services, Routes, Plugins, Consumers.Put(c), KeyAuths, Acls, BasicAuths),
        KeyAuthCredentialEntity k => new(Services, Routes, Plugins, Consumers, KeyAuths.Put(k), Acls, BasicAuths),
        AclEntity a => new(Services, Routes, Plugins, Consumers, KeyAuths, Acls.Put(a), BasicAuths),
        BasicAuthCredentialEntity b => new(Services, Routes, Plugins, Consumers, KeyAuths, Acls, BasicAuths.Put(b)),
        _ => throw new ArgumentException($"Unknown entity type {entity.GetType()}", nameof(entity)),
    };

    private RouteTableContent Without(EntityRef reference) => reference.Kind switch
    {
        EntityKind.Service => new(Services.Remove(reference.Id), Routes, Plugins, Consumers, KeyAuths, Acls, BasicAuths),
        EntityKind.Route => new(Services, Routes.Remove(reference.Id), Plugins, Consumers, KeyAuths, Acls, BasicAuths),
        EntityKind.Plugin => new(Services, Routes, Plugins.Remove(reference.Id), Consumers, KeyAuths, Acls, BasicAuths),
        EntityKind.Consumer => new(Services, Routes, Plugins, Consumers.Remove(reference.Id), KeyAuths, Acls, BasicAuths),
        EntityKind.KeyAuthCredential => new(Services, Routes, Plugins, Consumers, KeyAuths.Remove(reference.Id), Acls, BasicAuths),
        EntityKind.Acl => new(Services, Routes, Plugins, Consumers, KeyAuths, Acls.Remove(reference.Id), BasicAuths),
        EntityKind.BasicAuthCredential => new(Services, Routes, Plugins, Consumers, KeyAuths, Acls, BasicAuths.Remove(reference.Id)),
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
            case BasicAuthCredentialEntity basic:
                return BasicAuths.ByName.TryGetValue(basic.Username, out var userHolder) && userHolder != basic.Id
                    ? AdminError.UniqueViolation("username", basic.Username)
                    : null;
            case AclEntity acl:
                return Acls.ByName.TryGetValue(acl.UniqueName!, out var member) && member != acl.Id
                    ? AdminError.UniqueViolation("group", acl.Group)
                    : null;
            case KeyAuthCredentialEntity key:
                return KeyAuths.ByName.TryGetValue(key.Key, out var holderOfKey) && holderOfKey != key.Id
                    ? AdminError.UniqueViolation("key", key.Key)
                    : null;
            default:
                if (entity.UniqueName is not { } name)
                {
                    return null;
                }

                var names = entity.Kind == EntityKind.Service ? Services.ByName : Routes.ByName;
                return names.TryGetValue(name, out var id) && id != entity.Id ? AdminError.UniqueViolation("name", name) : null;
        }

        static string Ref(Guid? id) => id is { } g ? $"{{id=\"{g}\"}}" : "null";
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
        KeyAuthCredentialEntity key when Consumers.Find(key.ConsumerId) is null =>
            AdminError.ForeignKeyViolation("consumer", key.ConsumerId, EntityKind.Consumer),
        AclEntity acl when Consumers.Find(acl.ConsumerId) is null =>
            AdminError.ForeignKeyViolation("consumer", acl.ConsumerId, EntityKind.Consumer),
        BasicAuthCredentialEntity basic when Consumers.Find(basic.ConsumerId) is null =>
            AdminError.ForeignKeyViolation("consumer", basic.ConsumerId, EntityKind.Consumer),
        _ => null,
    };
}

internal sealed record RouteTableApplyResult(RouteTableContent? Table, GatewayEntity[] Stored, EntityRef[] Deleted, AdminError? Error)
{
    public static RouteTableApplyResult Failed(AdminError error) => new(null, [], [], error);
}
