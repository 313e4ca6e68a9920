using System.Collections.Immutable;

namespace Turnpike.RouteTable;

/// <summary>An immutable set of one kind of entity, ordered by id (Kong pages by primary key), indexed by unique name.</summary>
internal sealed class EntitySet<T> where T : GatewayEntity
{
    public static readonly EntitySet<T> Empty = new(
        ImmutableSortedDictionary<Guid, T>.Empty,
        ImmutableDictionary.Create<string, Guid>(StringComparer.Ordinal));

    private EntitySet(ImmutableSortedDictionary<Guid, T> byId, ImmutableDictionary<string, Guid> byName)
    {
        ById = byId;
        ByName = byName;
    }

    public ImmutableSortedDictionary<Guid, T> ById { get; }

    public ImmutableDictionary<string, Guid> ByName { get; }

    public int Count => ById.Count;

    public T? Find(Guid id) => ById.GetValueOrDefault(id);

    public T? FindByName(string name) => ByName.TryGetValue(name, out var id) ? ById.GetValueOrDefault(id) : null;

    /// <summary>Finds by id when <paramref name="idOrName"/> is a UUID, else by unique name, as Kong's endpoints do.</summary>
    public T? Find(string idOrName) => EntityIds.TryParse(idOrName, out var id) ? Find(id) : FindByName(idOrName);

    public EntitySet<T> Remove(Guid id)
    {
        if (!ById.TryGetValue(id, out var existing))
        {
            return this;
        }

        var byName = existing.UniqueName is { } name ? ByName.Remove(name) : ByName;
        return new EntitySet<T>(ById.Remove(id), byName);
    }

    /// <summary>Adds or replaces; the caller has checked that the name is free.</summary>
    public EntitySet<T> Put(T entity)
    {
        var set = Remove(entity.Id);
        var byName = entity.UniqueName is { } name ? set.ByName.SetItem(name, entity.Id) : set.ByName;
        return new EntitySet<T>(set.ById.SetItem(entity.Id, entity), byName);
    }

    public static EntitySet<T> From(IEnumerable<T> entities)
    {
        var byId = ImmutableSortedDictionary.CreateBuilder<Guid, T>();
        var byName = ImmutableDictionary.CreateBuilder<string, Guid>(StringComparer.Ordinal);
        foreach (var entity in entities)
        {
            byId[entity.Id] = entity;
            if (entity.UniqueName is { } name)
            {
                byName[name] = entity.Id;
            }
        }

        return new EntitySet<T>(byId.ToImmutable(), byName.ToImmutable());
    }
}
