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

    public static ConfigField<int?> Integer(string name, int min, int max)
    {
        var description = Describe("integer", false);
        description["between"] = new JsonArray(min, max);
        return new(name, description, r => r.Integer(name, min, max) is { } value ? JsonValue.Create(value) : null, n => n.GetValue<int>(), null, null, []);
    }

    public static ConfigField<double?> Number(string name, double min, double max)
    {
        var description = Describe("number", false);
        description["between"] = new JsonArray(min, max);
        return new(name, description, r => r.Number(name, min, max) is { } value ? JsonValue.Create(value) : null, n => n.GetValue<double>(), null, null, []);
    }

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
    public static ConfigField<T> Record<T>(string name, ConfigSchema<T> schema, bool? coerce = null, bool required = false)
    {
        var description = schema.Describe();
        description["required"] = true;
        return new(name, description, Read, n => schema.Bind(n.AsObject()), schema.Bind([]), null, []);

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

    internal static string[] ToStrings(JsonNode node) => [.. node.AsArray().Select(e => e!.GetValue<string>())];

    internal static JsonArray Array(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)v)]);

    private static ConfigField<string?> Text(string name, JsonObject description, Func<FieldReader, string?> read) =>
        new(name, description, r => read(r) is { } value ? JsonValue.Create(value) : null, n => n.GetValue<string>(), null, null, []);

    private static JsonObject Describe(string type, bool required)
    {
        var description = new JsonObject { ["type"] = type };
        if (required)
        {
            description["required"] = true;
        }

        return description;
    }
}
