using System.Collections.Immutable;

namespace Turnpike.Edge.Consumers;

/// <summary>
/// This edge's copy of every consumer and credential, indexed for the auth plugins: a key-auth key resolves
/// to its credential and consumer, a basic-auth username or JWT key to its credential, a consumer to its ACL groups,
/// all with local lookups. Immutable; each table version derives the next from
/// the changes it brings (<see cref="Apply"/>), so a change costs what it touches.
/// </summary>
internal sealed class ConsumerDirectory
{
    public static readonly ConsumerDirectory Empty = new(
        ImmutableDictionary<Guid, ConsumerEntity>.Empty,
        ImmutableDictionary<string, ConsumerEntity>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<Guid, KeyAuthCredentialEntity>.Empty,
        ImmutableDictionary<string, KeyAuthCredentialEntity>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<Guid, AclEntity>.Empty,
        ImmutableDictionary<Guid, ImmutableSortedSet<string>>.Empty,
        ImmutableDictionary<Guid, BasicAuthCredentialEntity>.Empty,
        ImmutableDictionary<string, BasicAuthCredentialEntity>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<Guid, JwtCredentialEntity>.Empty,
        ImmutableDictionary<string, JwtCredentialEntity>.Empty.WithComparers(StringComparer.Ordinal));

    private readonly ImmutableDictionary<Guid, ConsumerEntity> _consumers;
    private readonly ImmutableDictionary<string, ConsumerEntity> _byUsername;
    private readonly ImmutableDictionary<Guid, KeyAuthCredentialEntity> _keyAuths;
    private readonly ImmutableDictionary<string, KeyAuthCredentialEntity> _byKey;
    private readonly ImmutableDictionary<Guid, AclEntity> _acls;
    private readonly ImmutableDictionary<Guid, ImmutableSortedSet<string>> _groups;
    private readonly ImmutableDictionary<Guid, BasicAuthCredentialEntity> _basicAuths;
    private readonly ImmutableDictionary<string, BasicAuthCredentialEntity> _byBasicUsername;
    private readonly ImmutableDictionary<Guid, JwtCredentialEntity> _jwts;
    private readonly ImmutableDictionary<string, JwtCredentialEntity> _byJwtKey;

    private ConsumerDirectory(
        ImmutableDictionary<Guid, ConsumerEntity> consumers,
        ImmutableDictionary<string, ConsumerEntity> byUsername,
        ImmutableDictionary<Guid, KeyAuthCredentialEntity> keyAuths,
        ImmutableDictionary<string, KeyAuthCredentialEntity> byKey,
        ImmutableDictionary<Guid, AclEntity> acls,
        ImmutableDictionary<Guid, ImmutableSortedSet<string>> groups,
        ImmutableDictionary<Guid, BasicAuthCredentialEntity> basicAuths,
        ImmutableDictionary<string, BasicAuthCredentialEntity> byBasicUsername,
        ImmutableDictionary<Guid, JwtCredentialEntity> jwts,
        ImmutableDictionary<string, JwtCredentialEntity> byJwtKey)
    {
        _consumers = consumers;
        _byUsername = byUsername;
        _keyAuths = keyAuths;
        _byKey = byKey;
        _acls = acls;
        _groups = groups;
        _basicAuths = basicAuths;
        _byBasicUsername = byBasicUsername;
        _jwts = jwts;
        _byJwtKey = byJwtKey;
    }

    public int ConsumerCount => _consumers.Count;

    public ConsumerEntity? Consumer(Guid id) => _consumers.GetValueOrDefault(id);

    /// <summary>By id or username, as Kong's <c>anonymous</c> setting names a consumer.</summary>
    public ConsumerEntity? Consumer(string idOrUsername) =>
        EntityIds.TryParse(idOrUsername, out var id) ? Consumer(id) : _byUsername.GetValueOrDefault(idOrUsername);

    public KeyAuthCredentialEntity? KeyAuth(string key) => _byKey.GetValueOrDefault(key);

    public BasicAuthCredentialEntity? BasicAuth(string username) => _byBasicUsername.GetValueOrDefault(username);

    public JwtCredentialEntity? Jwt(string key) => _byJwtKey.GetValueOrDefault(key);

    /// <summary>The ACL groups a consumer belongs to, in order.</summary>
    public ImmutableSortedSet<string> GroupsOf(Guid consumerId) => _groups.GetValueOrDefault(consumerId) ?? ImmutableSortedSet<string>.Empty;

    /// <summary>This directory with a table change applied; <paramref name="full"/> replaces everything.</summary>
    public ConsumerDirectory Apply(bool full, IEnumerable<GatewayEntity> upserts, IEnumerable<EntityRef> deletes)
    {
        var source = full ? Empty : this;
        var consumers = source._consumers.ToBuilder();
        var byUsername = source._byUsername.ToBuilder();
        var keyAuths = source._keyAuths.ToBuilder();
        var byKey = source._byKey.ToBuilder();
        var acls = source._acls.ToBuilder();
        var groups = source._groups.ToBuilder();
        var basicAuths = source._basicAuths.ToBuilder();
        var byBasicUsername = source._byBasicUsername.ToBuilder();
        var jwts = source._jwts.ToBuilder();
        var byJwtKey = source._byJwtKey.ToBuilder();
        foreach (var deleted in deletes)
        {
            if (deleted.Kind == EntityKind.Consumer && consumers.TryGetValue(deleted.Id, out var consumer))
            {
                RemoveConsumer(consumer);
            }
            else if (deleted.Kind == EntityKind.KeyAuthCredential && keyAuths.TryGetValue(deleted.Id, out var key))
            {
                RemoveKey(key);
            }
            else if (deleted.Kind == EntityKind.Acl && acls.TryGetValue(deleted.Id, out var acl))
            {
                RemoveAcl(acl);
            }
            else if (deleted.Kind == EntityKind.BasicAuthCredential && basicAuths.TryGetValue(deleted.Id, out var basic))
            {
                RemoveBasic(basic);
            }
            else if (deleted.Kind == EntityKind.JwtCredential && jwts.TryGetValue(deleted.Id, out var jwt))
            {
                RemoveJwt(jwt);
            }
        }

        foreach (var entity in upserts)
        {
            switch (entity)
            {
                case ConsumerEntity consumer:
                    if (consumers.TryGetValue(consumer.Id, out var old))
                    {
                        RemoveConsumer(old);
                    }

                    consumers[consumer.Id] = consumer;
                    if (consumer.Username is { } username)
                    {
                        byUsername[username] = consumer;
                    }

                    break;
                case KeyAuthCredentialEntity key:
                    if (keyAuths.TryGetValue(key.Id, out var oldKey))
                    {
                        RemoveKey(oldKey);
                    }

                    keyAuths[key.Id] = key;
                    byKey[key.Key] = key;
                    break;
                case BasicAuthCredentialEntity basic:
                    if (basicAuths.TryGetValue(basic.Id, out var oldBasic))
                    {
                        RemoveBasic(oldBasic);
                    }

                    basicAuths[basic.Id] = basic;
                    byBasicUsername[basic.Username] = basic;
                    break;
                case JwtCredentialEntity jwt:
                    if (jwts.TryGetValue(jwt.Id, out var oldJwt))
                    {
                        RemoveJwt(oldJwt);
                    }

                    jwts[jwt.Id] = jwt;
                    byJwtKey[jwt.Key] = jwt;
                    break;
                case AclEntity acl:
                    if (acls.TryGetValue(acl.Id, out var oldAcl))
                    {
                        RemoveAcl(oldAcl);
                    }

                    acls[acl.Id] = acl;
                    groups[acl.ConsumerId] = (groups.GetValueOrDefault(acl.ConsumerId) ?? ImmutableSortedSet.Create<string>(StringComparer.Ordinal)).Add(acl.Group);
                    break;
            }
        }

        return new ConsumerDirectory(
            consumers.ToImmutable(),
            byUsername.ToImmutable(),
            keyAuths.ToImmutable(),
            byKey.ToImmutable(),
            acls.ToImmutable(),
            groups.ToImmutable(),
            basicAuths.ToImmutable(),
            byBasicUsername.ToImmutable(),
            jwts.ToImmutable(),
            byJwtKey.ToImmutable());

        void RemoveConsumer(ConsumerEntity consumer)
        {
            consumers.Remove(consumer.Id);
            if (consumer.Username is { } username)
            {
                byUsername.Remove(username);
            }
        }

        void RemoveKey(KeyAuthCredentialEntity key)
        {
            keyAuths.Remove(key.Id);
            byKey.Remove(key.Key);
        }

        void RemoveBasic(BasicAuthCredentialEntity basic)
        {
            basicAuths.Remove(basic.Id);
            byBasicUsername.Remove(basic.Username);
        }

        void RemoveJwt(JwtCredentialEntity jwt)
        {
            jwts.Remove(jwt.Id);
            byJwtKey.Remove(jwt.Key);
        }

        void RemoveAcl(AclEntity acl)
        {
            acls.Remove(acl.Id);
            var remaining = groups.GetValueOrDefault(acl.ConsumerId)?.Remove(acl.Group);
            if (remaining is { Count: > 0 })
            {
                groups[acl.ConsumerId] = remaining;
            }
            else
            {
                groups.Remove(acl.ConsumerId);
            }
        }
    }
}
