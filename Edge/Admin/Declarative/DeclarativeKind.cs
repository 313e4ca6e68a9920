using System.Text.Json.Nodes;

namespace Turnpike.Edge.Admin.Declarative;

/// <summary>
/// One place an entity kind takes in a declarative file (top level, or nested under a parent): the field that lists
/// it, how it gets its id, what it references, what nests under it, and for export which entities it holds and in what order.
/// </summary>
internal sealed record DeclarativeKind
{
    /// <summary>The field that lists these entities (<c>services</c>, <c>routes</c>, <c>keyauth_credentials</c>…).</summary>
    public required string Field { get; init; }

    public required EntityKind Kind { get; init; }

    public required DeclarativeIdRule Id { get; init; }

    /// <summary>Nested only: the foreign key to the parent, set on read and left out on export.</summary>
    public string? ParentField { get; init; }

    /// <summary>Nested only, export: the parent an entity belongs under.</summary>
    public Func<GatewayEntity, Guid?>? ParentOf { get; init; }

    /// <summary>Export: whether an entity of <see cref="Kind"/> is written in this place (the same kind may have several).</summary>
    public Func<GatewayEntity, bool> Holds { get; init; } = static _ => true;

    /// <summary>Export: the order entities are written in (the table's own order when not given).</summary>
    public Func<IEnumerable<GatewayEntity>, IEnumerable<GatewayEntity>> Order { get; init; } = static e => e;

    /// <summary>Read: foreign keys resolved by name or normalised from a bare id.</summary>
    public IReadOnlyList<DeclarativeReference> References { get; init; } = [];

    /// <summary>Read: the name other entities' references find this one by, under the index named <see cref="DeclarativeIdRule.Table"/>.</summary>
    public Func<JsonObject, string?>? NameOf { get; init; }

    /// <summary>Read: a bare string item stands for a record with this one field (SNIs given as names).</summary>
    public string? Shorthand { get; init; }

    /// <summary>Export: written even when empty (Kong's export always has <c>services</c>).</summary>
    public bool AlwaysWritten { get; init; }

    /// <summary>Export: the schema's secret fields are left out for callers who may not see them.</summary>
    public bool HasSecrets { get; init; }

    public IReadOnlyList<DeclarativeKind> Children { get; init; } = [];
}
