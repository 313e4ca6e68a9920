using System.Collections.Immutable;

namespace Turnpike.Edge.Consumers;

/// <summary>
/// This edge's copy of every consumer and credential, indexed for the auth plugins: a key-auth key, a
/// basic-auth username or a JWT key resolves to its credential, a consumer to its ACL groups, all with
/// local lookups. Immutable; each table version derives the next from the changes it brings
/// (<see cref="Apply"/>), so a change costs what it touches.
/// </summary>
internal sealed class ConsumerDirectory
{
    public static readonly ConsumerDirectory Empty = new(
        ImmutableDictionary<Guid, ConsumerEntity>.Empty,
        ImmutableDictionary<string, ConsumerEntity>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<Guid, AclEntity>.Empty,
        ImmutableDictionary<Guid, ImmutableSortedSet<string>>.Empty,
        new CredentialIndex<KeyAuthCredentialEntity>(k => k.Key),
        new CredentialIndex<BasicAuthCredentialEntity>(b => b.Username),
        new CredentialIndex<JwtCredentialEntity>(j => j.Key),
        new CredentialIndex<HmacAuthCredentialEntity>(h => h.Username),
        new CredentialIndex<OAuth2CredentialEntity>(o => o.ClientId));

    private readonly ImmutableDictionary<Guid, ConsumerEntity> _consumers;
    private readonly ImmutableDictionary<string, ConsumerEntity> _byUsername;
    private readonly ImmutableDictionary<Guid, AclEntity> _acls;
    private readonly ImmutableDictionary<Guid, ImmutableSortedSet<string>> _groups;
    private readonly CredentialIndex<KeyAuthCredentialEntity> _keyAuths;
    private readonly CredentialIndex<BasicAuthCredentialEntity> _basicAuths;
    private readonly CredentialIndex<JwtCredentialEntity> _jwts;
    private readonly CredentialIndex<HmacAuthCredentialEntity> _hmacAuths;
    private readonly CredentialIndex<OAuth2CredentialEntity> _oauth2s;

    private ConsumerDirectory(
        ImmutableDictionary<Guid, ConsumerEntity> consumers,
        ImmutableDictionary<string, ConsumerEntity> byUsername,
        ImmutableDictionary<Guid, AclEntity> acls,
        ImmutableDictionary<Guid, ImmutableSortedSet<string>> groups,
        CredentialIndex<KeyAuthCredentialEntity> keyAuths,
        CredentialIndex<BasicAuthCredentialEntity> basicAuths,
        CredentialIndex<JwtCredentialEntity> jwts,
        CredentialIndex<HmacAuthCredentialEntity> hmacAuths,
        CredentialIndex<OAuth2CredentialEntity> oauth2s)
    {
        _consumers = consumers;
        _byUsername = byUsername;
        _acls = acls;
        _groups = groups;
        _keyAuths = keyAuths;
        _basicAuths = basicAuths;
        _jwts = jwts;
        _hmacAuths = hmacAuths;
        _oauth2s = oauth2s;
    }

    public int ConsumerCount => _consumers.Count;

    public ConsumerEntity? Consumer(Guid id) => _consumers.GetValueOrDefault(id);

    /// <summary>By id or username, as Kong's <c>anonymous</c> setting names a consumer.</summary>
    public ConsumerEntity? Consumer(string idOrUsername) =>
        EntityIds.TryParse(idOrUsername, out var id) ? Consumer(id) : _byUsername.GetValueOrDefault(idOrUsername);

    public KeyAuthCredentialEntity? KeyAuth(string key) => _keyAuths.Find(key);

    public BasicAuthCredentialEntity? BasicAuth(string username) => _basicAuths.Find(username);

    public JwtCredentialEntity? Jwt(string key) => _jwts.Find(key);

    public HmacAuthCredentialEntity? HmacAuth(string username) => _hmacAuths.Find(username);

    /// <summary>An oauth2 application by its <c>client_id</c>.</summary>
    public OAuth2CredentialEntity? OAuth2(string clientId) => _oauth2s.Find(clientId);

    /// <summary>An oauth2 application by its id (what a token names).</summary>
    public OAuth2CredentialEntity? OAuth2(Guid id) => _oauth2s.FindById(id);

    /// <summary>The ACL groups a consumer belongs to, in order.</summary>
    public ImmutableSortedSet<string> GroupsOf(Guid consumerId) => _groups.GetValueOrDefault(consumerId) ?? ImmutableSortedSet<string>.Empty;

    /// <summary>This directory with a table change applied; <paramref name="full"/> replaces everything.</summary>
    public ConsumerDirectory Apply(bool full, IReadOnlyCollection<GatewayEntity> upserts, IReadOnlyCollection<EntityRef> deletes)
    {
        var source = full ? Empty : this;
        var consumers = source._consumers.ToBuilder();
        var byUsername = source._byUsername.ToBuilder();
        var acls = source._acls.ToBuilder();
        var groups = source._groups.ToBuilder();
        foreach (var deleted in deletes)
        {
            if (deleted.Kind == EntityKind.Consumer && consumers.TryGetValue(deleted.Id, out var consumer))
            {
                RemoveConsumer(consumer);
            }
            else if (deleted.Kind == EntityKind.Acl && acls.TryGetValue(deleted.Id, out var acl))
            {
                RemoveAcl(acl);
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
            acls.ToImmutable(),
            groups.ToImmutable(),
            source._keyAuths.Apply(full, upserts, deletes),
            source._basicAuths.Apply(full, upserts, deletes),
            source._jwts.Apply(full, upserts, deletes),
            source._hmacAuths.Apply(full, upserts, deletes),
            source._oauth2s.Apply(full, upserts, deletes));

        void RemoveConsumer(ConsumerEntity consumer)
        {
            consumers.Remove(consumer.Id);
            if (consumer.Username is { } username)
            {
                byUsername.Remove(username);
            }
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
