using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// An entity kind's schema, declared once with the same machinery as a plugin's configuration (<see cref="ConfigSchema{TOptions}"/>):
/// the fields and entity checks in order, from which come the validation (every error collected, Kong's shape), the typed
/// entity and Kong's schema JSON (<c>GET /schemas/{entity}</c>). The fields every entity has — <c>id</c>, <c>created_at</c>,
/// <c>updated_at</c> (checked, then left to the table, which sets it on every write) and <c>tags</c> — are declared here,
/// once for all kinds. Foreign keys are the declared <see cref="Field.Foreign"/> fields.
/// </summary>
internal abstract class EntitySchema<TEntity> : IEntitySchema
    where TEntity : GatewayEntity
{
    private static readonly ConfigField<Guid?> Id = Field.Uuid("id").Described("auto", true);
    private static readonly ConfigField<long?> CreatedAt = Field.Timestamp("created_at").Described("auto", true);
    private static readonly ConfigField<long?> UpdatedAt = Field.Timestamp("updated_at").Described("auto", true);
    private static readonly ConfigField<string[]?> Tags = Field.Strings("tags", FieldRules.Tag, set: true);

    private readonly ConfigSchema<TEntity> _schema;

    protected EntitySchema(ConfigStep[] steps)
    {
        _schema = new([Id, CreatedAt, UpdatedAt, .. steps, Tags], values => (TEntity)(Bind(values) with
        {
            Id = values.Get(Id) ?? Guid.Empty,
            CreatedAt = values.Get(CreatedAt) ?? 0,
            Tags = values.Get(Tags),
        }));
        ForeignKeys = [.. steps.OfType<ConfigField<Guid?>>().Select(f => (f.Name, Description: f.Description))
            .Where(f => f.Description["type"]?.GetValue<string>() == "foreign")
            .Select(f => (f.Name, Enum.GetValues<EntityKind>().Single(k => k.TableName() == f.Description["reference"]!.GetValue<string>())))];
    }

    public abstract EntityKind Kind { get; }

    public abstract string NameField { get; }

    public IReadOnlyList<(string Field, EntityKind Target)> ForeignKeys { get; }

    public virtual IReadOnlyList<string> SecretFields => [];

    public virtual string LookupKey(string key, Guid? parentId) => key;

    public GatewayEntity? Read(JsonObject json, FieldErrors errors, bool coerce)
    {
        var stored = _schema.Read(new FieldReader(json, errors, coerce: coerce));
        return errors.Count == 0 ? _schema.Bind(stored) : null;
    }

    public abstract JsonObject Write(GatewayEntity entity);

    /// <summary>Kong's schema JSON of this kind: its fields in order, and its entity checks where it has some.</summary>
    public JsonObject Describe()
    {
        var record = _schema.Describe();
        record.Remove("type");
        return record;
    }

    /// <summary>The entity built from validated values; the common fields are set afterwards.</summary>
    protected abstract TEntity Bind(ConfigValues values);
}
