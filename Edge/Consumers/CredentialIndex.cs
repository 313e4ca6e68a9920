using System.Collections.Immutable;

namespace Turnpike.Edge.Consumers;

/// <summary>
/// One kind of credential, found by the name a request presents (a key, a username) and by id for deletes.
/// Immutable; <see cref="Apply"/> derives the next index from a table change.
/// </summary>
internal sealed class CredentialIndex<T> where T : GatewayEntity
{
    private readonly Func<T, string> _nameOf;
    private readonly ImmutableDictionary<Guid, T> _byId;
    private readonly ImmutableDictionary<string, T> _byName;

    public CredentialIndex(Func<T, string> nameOf)
        : this(nameOf, ImmutableDictionary<Guid, T>.Empty, ImmutableDictionary<string, T>.Empty.WithComparers(StringComparer.Ordinal))
    {
    }

    private CredentialIndex(Func<T, string> nameOf, ImmutableDictionary<Guid, T> byId, ImmutableDictionary<string, T> byName)
    {
        _nameOf = nameOf;
        _byId = byId;
        _byName = byName;
    }

    public T? Find(string name) => _byName.GetValueOrDefault(name);

    public T? FindById(Guid id) => _byId.GetValueOrDefault(id);

    /// <summary>This index with a table change applied; <paramref name="full"/> replaces everything.</summary>
    public CredentialIndex<T> Apply(bool full, IEnumerable<GatewayEntity> upserts, IEnumerable<EntityRef> deletes)
    {
        var byId = (full ? _byId.Clear() : _byId).ToBuilder();
        var byName = (full ? _byName.Clear() : _byName).ToBuilder();
        foreach (var deleted in deletes)
        {
            Remove(deleted.Id);
        }

        foreach (var credential in upserts.OfType<T>())
        {
            Remove(credential.Id);
            byId[credential.Id] = credential;
            byName[_nameOf(credential)] = credential;
        }

        return new CredentialIndex<T>(_nameOf, byId.ToImmutable(), byName.ToImmutable());

        void Remove(Guid id)
        {
            if (byId.TryGetValue(id, out var old))
            {
                byId.Remove(id);
                byName.Remove(_nameOf(old));
            }
        }
    }
}
