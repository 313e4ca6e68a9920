using System.Collections.Immutable;

namespace Turnpike.Edge.Consumers;

/// <summary>
/// One consumer-scoped kind (a credential kind, ACL groups): by id, by its unique name (what a request presents: a key,
/// a username), and for a kind unique per consumer (<see cref="IConsumerScopedEntity.UniquePerConsumer"/>) the values
/// each consumer holds. Immutable; <see cref="Apply"/> derives the next index from a table change.
/// </summary>
internal sealed class CredentialIndex
{
    public static readonly CredentialIndex Empty = new(
        ImmutableDictionary<Guid, GatewayEntity>.Empty,
        ImmutableDictionary<string, GatewayEntity>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<Guid, ImmutableSortedSet<string>>.Empty);

    private static readonly ImmutableSortedSet<string> NoValues = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    private readonly ImmutableDictionary<Guid, GatewayEntity> _byId;
    private readonly ImmutableDictionary<string, GatewayEntity> _byName;
    private readonly ImmutableDictionary<Guid, ImmutableSortedSet<string>> _byConsumer;

    private CredentialIndex(
        ImmutableDictionary<Guid, GatewayEntity> byId, ImmutableDictionary<string, GatewayEntity> byName, ImmutableDictionary<Guid, ImmutableSortedSet<string>> byConsumer)
    {
        _byId = byId;
        _byName = byName;
        _byConsumer = byConsumer;
    }

    public GatewayEntity? Find(string name) => _byName.GetValueOrDefault(name);

    public GatewayEntity? Find(Guid id) => _byId.GetValueOrDefault(id);

    /// <summary>The values a consumer holds, in order (empty for a kind unique across consumers).</summary>
    public ImmutableSortedSet<string> HeldBy(Guid consumerId) => _byConsumer.GetValueOrDefault(consumerId) ?? NoValues;

    /// <summary>This index with its kind's deletes and upserts applied.</summary>
    public CredentialIndex Apply(IEnumerable<EntityRef> deletes, IEnumerable<GatewayEntity> upserts)
    {
        var byId = _byId.ToBuilder();
        var byName = _byName.ToBuilder();
        var byConsumer = _byConsumer.ToBuilder();
        foreach (var deleted in deletes)
        {
            Remove(deleted.Id);
        }

        foreach (var entity in upserts)
        {
            Remove(entity.Id);
            byId[entity.Id] = entity;
            if (entity.UniqueName is { } name)
            {
                byName[name] = entity;
            }

            if (entity is IConsumerScopedEntity { UniquePerConsumer: true } owned)
            {
                byConsumer[owned.ConsumerId] = (byConsumer.GetValueOrDefault(owned.ConsumerId) ?? NoValues).Add(owned.UniqueValue);
            }
        }

        return new CredentialIndex(byId.ToImmutable(), byName.ToImmutable(), byConsumer.ToImmutable());

        void Remove(Guid id)
        {
            if (!byId.TryGetValue(id, out var old))
            {
                return;
            }

            byId.Remove(id);
            if (old.UniqueName is { } name)
            {
                byName.Remove(name);
            }

            if (old is IConsumerScopedEntity { UniquePerConsumer: true } owned)
            {
                var remaining = byConsumer.GetValueOrDefault(owned.ConsumerId)?.Remove(owned.UniqueValue);
                if (remaining is { Count: > 0 })
                {
                    byConsumer[owned.ConsumerId] = remaining;
                }
                else
                {
                    byConsumer.Remove(owned.ConsumerId);
                }
            }
        }
    }
}
