namespace Turnpike.RouteTable;

/// <summary>
/// An admin API error in Kong's shape: <c>{"code","name","message","fields"}</c>.
/// Field keys are paths (<c>service.id</c>, <c>paths[0]</c>) that the API expands into nested JSON.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AdminError
{
    [Id(0)] public int Code { get; init; }
    [Id(1)] public string Name { get; init; } = "";
    [Id(2)] public string Message { get; init; } = "";
    [Id(3)] public Dictionary<string, string>? Fields { get; init; }
    [Id(4)] public int HttpStatus { get; init; } = 400;

    // Codes as in Kong's kong/db/errors.lua.
    public const int SchemaViolationCode = 2;
    public const int PrimaryKeyViolationCode = 3;
    public const int ForeignKeyViolationCode = 4;
    public const int UniqueViolationCode = 5;
    public const int NotFoundCode = 6;
    public const int InvalidOffsetCode = 7;
    public const int InvalidSizeCode = 9;
    public const int DeclarativeConfigCode = 14;
    public const int InvalidOptionsCode = 11;
    public const int ReferencedByOthersCode = 19;

    public static AdminError SchemaViolation(IReadOnlyDictionary<string, string> fields) => new()
    {
        Code = SchemaViolationCode,
        Name = "schema violation",
        Message = SummarizeFields(fields.Count == 1 ? "schema violation" : $"{fields.Count} schema violations", fields),
        Fields = new Dictionary<string, string>(fields, StringComparer.Ordinal),
    };

    public static AdminError SchemaViolation(string field, string message) =>
        SchemaViolation(new Dictionary<string, string> { [field] = message });

    public static AdminError UniqueViolation(string field, string value) => new()
    {
        Code = UniqueViolationCode,
        Name = "unique constraint violation",
        Message = $"UNIQUE violation detected on '{{{field}=\"{value}\"}}'",
        Fields = new() { [field] = value },
        HttpStatus = 409,
    };

    public static AdminError PrimaryKeyViolation(Guid id) => new()
    {
        Code = PrimaryKeyViolationCode,
        Name = "primary key violation",
        Message = $"primary key violation on key '{{id=\"{id}\"}}'",
        Fields = new() { ["id"] = id.ToString() },
    };

    public static AdminError ForeignKeyViolation(string field, Guid id, EntityKind target) => new()
    {
        Code = ForeignKeyViolationCode,
        Name = "foreign key violation",
        Message = $"the foreign key '{{id=\"{id}\"}}' does not reference an existing '{target.TableName()}' entity.",
        Fields = new() { [field + ".id"] = id.ToString() },
    };

    /// <summary>An id in a list of references (a service's <c>ca_certificates[1]</c>) that names nothing, in the foreign key's words.</summary>
    public static AdminError ForeignKeyViolationAt(string fieldPath, Guid id, EntityKind target) => new()
    {
        Code = ForeignKeyViolationCode,
        Name = "foreign key violation",
        Message = $"the foreign key '{{id=\"{id}\"}}' does not reference an existing '{target.TableName()}' entity.",
        Fields = new() { [fieldPath] = id.ToString() },
    };

    /// <summary>Deleting an entity that others still reference (Kong reports it as a foreign key violation).</summary>
    public static AdminError ReferencedByOthers(EntityKind referenced, EntityKind referencing) => new()
    {
        Code = ForeignKeyViolationCode,
        Name = "foreign key violation",
        Message = $"an existing '{referencing.TableName()}' entity references this '{referenced.TableName()}' entity",
        Fields = new() { ["@referenced_by"] = referencing.TableName() },
    };

    /// <summary>
    /// Deleting an entity a check outside the foreign keys finds still in use (Kong's "referenced by others", e.g. a CA
    /// certificate a service trusts): 400 with the referencing entity named in <paramref name="message"/>.
    /// </summary>
    public static AdminError StillReferenced(string message) => new()
    {
        Code = ReferencedByOthersCode,
        Name = "referenced by others",
        Message = message,
    };

    public static AdminError NotFound() => new()
    {
        Code = NotFoundCode,
        Name = "not found",
        Message = "Not found",
        HttpStatus = 404,
    };

    private static string SummarizeFields(string prefix, IReadOnlyDictionary<string, string> fields)
    {
        var parts = fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key == "@entity" ? f.Value : $"{f.Key}: {f.Value}");
        return $"{prefix} ({string.Join("; ", parts)})";
    }
}
