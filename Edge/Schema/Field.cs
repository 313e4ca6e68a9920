using System.Text.Json.Nodes;

namespace Turnpike.Edge.Schema;

/// <summary>
/// The kinds of configuration field (Kong's string, integer, number, boolean, array and record), each validated by the
/// matching <see cref="FieldReader"/> method so error wording and the control-character rules stay the shared ones.
/// Add defaults with <see cref="FieldDefaults"/> and further checks with <see cref="ConfigField{T}.Check"/>.
/// </summary>
internal static class Field
{
    public static ConfigField<string?> String(string name, bool required = false, bool multiLine = false) =>
        Text(name, Describe("string", required), r => r.String(name, required, multiLine));

    /// <summary>A header name an admin configures: an RFC 7230 token.</summary>
    public static ConfigField<string?> HeaderName(string name, bool required = false) =>
        Text(name, Describe("string", required), r => r.HeaderName(name, required));

    public static ConfigField<string?> OneOf(string name, string[] allowed, bool required = false)
    {
        var description = Describe("string", required);
        description["one_of"] = Array(allowed);
        return Text(name, description, r => r.OneOf(name, allowed, required));
    }

    public static ConfigField<int?> Integer(string name, int min, int max) =>
        new(name, Between("integer", min, max, false), r => ReadInteger(r, name, min, max, false), n => n.GetValue<int>(), null, null, []);

    public static ConfigField<double?> Number(string name, double min, double max) =>
        new(name, Between("number", min, max, false), r => ReadNumber(r, name, min, max, false), n => n.GetValue<double>(), null, null, []);

    /// <summary>An integer that must be given (Kong's <c>required = true</c> without a default): bound as non-null.</summary>
    public static ConfigField<int> RequiredInteger(string name, int min, int max) =>
        new(name, Between("integer", min, max, true), r => ReadInteger(r, name, min, max, true), n => n.GetValue<int>(), 0, null, []);

    /// <summary>A number that must be given (Kong's <c>required = true</c> without a default): bound as non-null.</summary>
    public static ConfigField<double> RequiredNumber(string name, double min, double max) =>
        new(name, Between("number", min, max, true), r => ReadNumber(r, name, min, max, true), n => n.GetValue<double>(), 0, null, []);

    public static ConfigField<bool?> Boolean(string name) =>
        new(name, Describe("boolean", false), r => r.Boolean(name) is { } value ? JsonValue.Create(value) : null, n => n.GetValue<bool>(), null, null, []);

    /// <summary>
    /// An array of strings; each element checked by <paramref name="check"/> or, with <paramref name="oneOf"/>, against a
    /// fixed list. A <paramref name="set"/> (Kong's <c>set</c>) is stored without repeats.
    /// </summary>
    public static ConfigField<string[]?> Strings(string name, Func<string, string?>? check = null, string[]? oneOf = null, bool set = false)
    {
        var elements = Describe("string", false);
        if (oneOf is not null)
        {
            elements["one_of"] = Array(oneOf);
            var message = "expected one of: " + string.Join(", ", oneOf);
            var elementCheck = check;
            check = value => oneOf.Contains(value) ? elementCheck?.Invoke(value) : message;
        }

        var description = Describe(set ? "set" : "array", false);
        description["elements"] = elements;
        return new(name, description, r => r.Strings(name, check) is { } values ? Array(set ? values.Distinct() : values) : null, ToStrings, null, null, []);
    }

    /// <summary>
    /// A nested record with its own schema (errors at <c>config.name.field</c>); absent, it is read as empty so its
    /// defaults still show. <paramref name="coerce"/> false keeps form-encoded leniency out of it whatever the body was.
    /// </summary>
    public static ConfigField<T> Record<T>(string name, ConfigSchema<T> schema, bool? coerce = null, bool required = false) =>
        RecordOf(name, schema, coerce, required, n => schema.Bind(n.AsObject()), schema.Bind([]));

    /// <summary>
    /// A nested record kept as the JSON it validated to, defaults filled: for an entity that stores the record whole
    /// (an upstream's <c>healthchecks</c>) and binds it where it is used.
    /// </summary>
    public static ConfigField<JsonObject> StoredRecord<T>(string name, ConfigSchema<T> schema) =>
        RecordOf(name, schema, null, false, n => n.AsObject(), schema.Read(new FieldReader([], new FieldErrors())));

    private static ConfigField<TOut> RecordOf<T, TOut>(string name, ConfigSchema<T> schema, bool? coerce, bool required, Func<JsonNode, TOut> convert, TOut fallback)
    {
        var description = schema.Describe();
        description["required"] = true;
        return new(name, description, Read, convert, fallback, null, []);

        JsonNode? Read(FieldReader r)
        {
            if (r.Object(name) is { } nested)
            {
                return schema.Read(new FieldReader(nested, r.Errors, r.PathOf(name) + ".", coerce ?? r.Coerce));
            }

            if (required && !r.Has(name))
            {
                r.Error(name, "required field missing");
                return null;
            }

            // Absent: read as empty only for its defaults; what an empty record lacks is not the admin's error.
            return r.Has(name) ? null : schema.Read(new FieldReader([], new FieldErrors()));
        }
    }

    /// <summary>A string that must be given: bound as non-null (validation guarantees it before anything is stored).</summary>
    public static ConfigField<string> RequiredString(string name, bool multiLine = false, string[]? oneOf = null)
    {
        var description = Describe("string", true);
        if (oneOf is not null)
        {
            description["one_of"] = Array(oneOf);
        }

        return new(name, description, Read, n => n.GetValue<string>(), "", null, []);

        JsonNode? Read(FieldReader r) =>
            (oneOf is null ? r.String(name, required: true, multiLine) : r.OneOf(name, oneOf, required: true)) is { } value ? JsonValue.Create(value) : null;
    }

    /// <summary>
    /// An array of records, each read by <paramref name="schema"/> (errors at <c>config.name[i].field</c>; form leniency never
    /// applies inside). <paramref name="nonEmpty"/> makes it required with at least one; otherwise absent is empty.
    /// </summary>
    public static ConfigField<T[]> Records<T>(string name, ConfigSchema<T> schema, bool nonEmpty = false, int? maxLength = null)
    {
        var description = Describe("array", nonEmpty);
        description["elements"] = schema.Describe();
        if (nonEmpty)
        {
            description["len_min"] = 1;
        }

        if (maxLength is { } max)
        {
            description["len_max"] = max;
        }

        return new(name, description, Read, n => [.. n.AsArray().Select(e => schema.Bind(e!.AsObject()))], [], nonEmpty ? null : new JsonArray(), []);

        JsonNode? Read(FieldReader r)
        {
            var node = r.Raw(name);
            if (node is null)
            {
                if (nonEmpty)
                {
                    r.Error(name, "required field missing");
                }

                return null;
            }

            if (node is not JsonArray array || (nonEmpty && array.Count == 0))
            {
                r.Error(name, nonEmpty ? "expected a non-empty array" : "expected an array");
                return null;
            }

            if (array.Count > maxLength)
            {
                r.Error(name, $"length must be at most {maxLength}");
                return null;
            }

            var records = new JsonArray();
            for (var i = 0; i < array.Count; i++)
            {
                var path = $"{r.PathOf(name)}[{i}]";
                if (array[i] is JsonObject record)
                {
                    records.Add(schema.Read(new FieldReader(record, r.Errors, path + ".")));
                }
                else
                {
                    r.Errors.Add(path, "expected a record");
                }
            }

            return records;
        }
    }

    /// <summary>A UUID (Kong's <c>uuid</c> string), such as an entity's <c>id</c>.</summary>
    public static ConfigField<Guid?> Uuid(string name)
    {
        var description = Describe("string", false);
        description["uuid"] = true;
        return new(name, description, r => r.Id(name) is { } id ? JsonValue.Create(id.ToString()) : null, n => Guid.Parse(n.GetValue<string>()), null, null, []);
    }

    /// <summary>Unix seconds (Kong's <c>timestamp</c> integer), such as an entity's <c>created_at</c>.</summary>
    public static ConfigField<long?> Timestamp(string name)
    {
        var description = Describe("integer", false);
        description["timestamp"] = true;
        return new(name, description, r => r.Integer(name, 0, int.MaxValue) is { } value ? JsonValue.Create((long)value) : null, n => n.GetValue<long>(), null, null, []);
    }

    /// <summary>
    /// A reference to another entity in Kong's shape, <c>{"id": "..."}</c>, described as Kong's <c>foreign</c> type naming
    /// the <paramref name="reference"/>d table (what the admin API resolves by name before the schema reads it).
    /// </summary>
    public static ConfigField<Guid?> Foreign(string name, string reference, bool required = false)
    {
        var description = Describe("foreign", required);
        description["reference"] = reference;
        return new(name, description, Read, n => Guid.Parse(n.GetValue<string>()), null, null, []);

        JsonNode? Read(FieldReader r)
        {
            var id = r.ForeignKey(name);
            if (required && id is null && !r.Has(name))
            {
                r.Error(name, "required field missing");
            }

            return id is { } value ? JsonValue.Create(value.ToString()) : null;
        }
    }

    /// <summary>An array of integers between <paramref name="min"/> and <paramref name="max"/> (HTTP statuses, for one).</summary>
    public static ConfigField<int[]?> Integers(string name, int min, int max, string problem)
    {
        var elements = Describe("integer", false);
        elements["between"] = new JsonArray(min, max);
        var description = Describe("array", false);
        description["elements"] = elements;
        return new(name, description, Read, n => [.. n.AsArray().Select(e => e!.GetValue<int>())], null, null, []);

        JsonNode? Read(FieldReader r)
        {
            var node = r.Raw(name);
            if (node is null)
            {
                return null;
            }

            if (node is JsonArray array && array.All(e => e is JsonValue v && v.TryGetValue<int>(out var i) && i >= min && i <= max))
            {
                return new JsonArray([.. array.Select(e => (JsonNode?)e!.GetValue<int>())]);
            }

            r.Error(name, problem);
            return null;
        }
    }

    /// <summary>
    /// A field with its own reading (a map, or a value that depends on fields read before it through the
    /// <see cref="ConfigValues"/>): <paramref name="read"/> validates and returns the JSON to store, or null.
    /// </summary>
    public static ConfigField<T?> Custom<T>(string name, JsonObject description, Func<FieldReader, ConfigValues, JsonNode?> read, Func<JsonNode, T> convert)
        where T : class =>
        new(name, description, read, convert, null, null, []);

    internal static string[] ToStrings(JsonNode node) => [.. node.AsArray().Select(e => e!.GetValue<string>())];

    internal static JsonArray Array(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)v)]);

    private static ConfigField<string?> Text(string name, JsonObject description, Func<FieldReader, string?> read) =>
        new(name, description, r => read(r) is { } value ? JsonValue.Create(value) : null, n => n.GetValue<string>(), null, null, []);

    private static JsonNode? ReadInteger(FieldReader r, string name, int min, int max, bool required) =>
        r.Integer(name, min, max, required) is { } value ? JsonValue.Create(value) : null;

    private static JsonNode? ReadNumber(FieldReader r, string name, double min, double max, bool required) =>
        r.Number(name, min, max, required) is { } value ? JsonValue.Create(value) : null;

    private static JsonObject Between(string type, JsonNode min, JsonNode max, bool required)
    {
        var description = Describe(type, required);
        description["between"] = new JsonArray(min, max);
        return description;
    }

    internal static JsonObject Describe(string type, bool required)
    {
        var description = new JsonObject { ["type"] = type };
        if (required)
        {
            description["required"] = true;
        }

        return description;
    }
}
