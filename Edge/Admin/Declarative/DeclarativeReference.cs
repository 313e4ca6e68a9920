namespace Turnpike.Edge.Admin.Declarative;

/// <summary>
/// A foreign key a declarative file may write loosely: by name (<c>service: billing</c> or <c>service: {name: billing}</c>,
/// looked up among the entities indexed as <see cref="Index"/>), or by a bare id (<c>service: 5f…</c>); both become <c>{id}</c>.
/// </summary>
/// <param name="Index">The name index to look names up in; null for a reference that only ever gives an id (then any bare string is taken as the id).</param>
internal sealed record DeclarativeReference(string Field, string? Index)
{
    public static DeclarativeReference ByName(string field, string index) => new(field, index);

    public static DeclarativeReference ById(string field) => new(field, null);
}
