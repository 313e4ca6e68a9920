using System.Collections.Immutable;

namespace Turnpike.Edge.Consumers;

/// <summary>
/// This edge's copy of every consumer and every consumer-scoped entity (credentials, ACL groups), indexed for the auth
/// plugins: a key-auth key, a basic-auth username or a JWT key resolves to its credential, a consumer to its ACL groups,
/// all with local lookups. Every consumer-scoped kind is indexed alike (<see cref="CredentialIndex"/>), so a plugin that
/// brings a credential kind adds nothing here: its handler asks <see cref="Credential(EntityKind, string)"/> for its kind.
/// Immutable; each table version derives the next from the changes it brings (<see cref="Apply"/>), so a change costs what
/// it touches.
/// </summary>
internal sealed class ConsumerDirectory
{
    public static readonly ConsumerDirectory Empty = new(
        ImmutableDictionary<Guid, ConsumerEntity>.Empty,
        ImmutableDictionary<string, ConsumerEntity>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<EntityKind, CredentialIndex>.Empty);

    private readonly ImmutableDictionary<Guid, ConsumerEntity> _consumers;
    private readonly ImmutableDictionary<string, ConsumerEntity> _byUsername;
    private readonly ImmutableDictionary<EntityKind, CredentialIndex> _owned;

    private ConsumerDirectory(
        ImmutableDictionary<Guid, ConsumerEntity> consumers,
        ImmutableDictionary<string, ConsumerEntity> byUsername,
        ImmutableDictionary<EntityKind, CredentialIndex> owned)
    {
        _consumers = consumers;
        _byUsername = byUsername;
        _owned = owned;
    }

    public int ConsumerCount => _consumers.Count;

    public ConsumerEntity? Consumer(Guid id) => _consumers.GetValueOrDefault(id);

    /// <summary>By id or username, as Kong's <c>anonymous</c> setting names a consumer.</summary>
    public ConsumerEntity? Consumer(string idOrUsername) =>
        EntityIds.TryParse(idOrUsername, out var id) ? Consumer(id) : _byUsername.GetValueOrDefault(idOrUsername);

    /// <summary>A credential of <paramref name="kind"/> by the unique name a request presents (a key-auth key, a basic-auth username, an oauth2 <c>client_id</c>).</summary>
    public GatewayEntity? Credential(EntityKind kind, string name) => _owned.GetValueOrDefault(kind)?.Find(name);

    /// <summary>A credential of <paramref name="kind"/> by its id (what an oauth2 token names).</summary>
    public GatewayEntity? Credential(EntityKind kind, Guid id) => _owned.GetValueOrDefault(kind)?.Find(id);

    /// <summary>What a consumer holds of a kind unique per consumer, in order: its ACL groups.</summary>
    public ImmutableSortedSet<string> HeldBy(EntityKind kind, Guid consumerId) => (_owned.GetValueOrDefault(kind) ?? CredentialIndex.Empty).HeldBy(consumerId);

    /// <summary>This directory with a table change applied; <paramref name="full"/> replaces everything.</summary>
    public ConsumerDirectory Apply(bool full, IReadOnlyCollection<GatewayEntity> upserts, IReadOnlyCollection<EntityRef> deletes)
    {
        var source = full ? Empty : this;
        var consumers = source._consumers.ToBuilder();
        var byUsername = source._byUsername.ToBuilder();
        foreach (var deleted in deletes)
        {
            if (deleted.Kind == EntityKind.Consumer && consumers.TryGetValue(deleted.Id, out var consumer))
            {
                RemoveConsumer(consumer);
            }
        }

        foreach (var consumer in upserts.OfType<ConsumerEntity>())
        {
            if (consumers.TryGetValue(consumer.Id, out var old))
            {
                RemoveConsumer(old);
            }

            consumers[consumer.Id] = consumer;
            if (consumer.Username is { } username)
            {
                byUsername[username] = consumer;
            }
        }

        // Each consumer-scoped kind the change touches; a consumer's own deletion comes with its credentials' (the table cascades).
        var owned = source._owned;
        var ownedDeletes = deletes.Where(d => source._owned.ContainsKey(d.Kind)).ToLookup(d => d.Kind);
        var ownedUpserts = upserts.Where(e => e is IConsumerScopedEntity).ToLookup(e => e.Kind);
        foreach (var kind in ownedDeletes.Select(g => g.Key).Union(ownedUpserts.Select(g => g.Key)))
        {
            owned = owned.SetItem(kind, (owned.GetValueOrDefault(kind) ?? CredentialIndex.Empty).Apply(ownedDeletes[kind], ownedUpserts[kind]));
        }

        return new ConsumerDirectory(consumers.ToImmutable(), byUsername.ToImmutable(), owned);

        void RemoveConsumer(ConsumerEntity consumer)
        {
            consumers.Remove(consumer.Id);
            if (consumer.Username is { } username)
            {
                byUsername.Remove(username);
            }
        }
    }
}
