using System.Text.Json.Nodes;

namespace Turnpike.Edge.Schema;

/// <summary>
/// A configuration field whose bound value is a <typeparamref name="T"/>. The field knows how to validate itself from
/// the admin's JSON (through <see cref="FieldReader"/>, so wording and text rules are the shared ones), how to turn the
/// stored JSON back into a typed value, and how Kong describes it. Built by <see cref="Field"/>; immutable.
/// </summary>
internal sealed class ConfigField<T> : ConfigStep
{
    private readonly Func<FieldReader, ConfigValues, JsonNode?> _read;
    private readonly Func<JsonNode, T> _convert;
    private readonly T _fallback;
    private readonly JsonNode? _default;
    private readonly Func<T, string?>[] _checks;
    private readonly JsonObject _description;

    internal ConfigField(string name, JsonObject description, Func<FieldReader, JsonNode?> read, Func<JsonNode, T> convert, T fallback, JsonNode? defaultJson, Func<T, string?>[] checks)
        : this(name, description, (reader, _) => read(reader), convert, fallback, defaultJson, checks)
    {
    }

    /// <summary>A field whose reading depends on the values declared before it (a plugin's <c>config</c> on its <c>name</c>).</summary>
    internal ConfigField(string name, JsonObject description, Func<FieldReader, ConfigValues, JsonNode?> read, Func<JsonNode, T> convert, T fallback, JsonNode? defaultJson, Func<T, string?>[] checks)
    {
        Name = name;
        _description = description;
        _read = read;
        _convert = convert;
        _fallback = fallback;
        _default = defaultJson;
        _checks = checks;
    }

    public string Name { get; }

    /// <summary>The typed value of this field in a stored (already validated) configuration; the default when absent.</summary>
    public T ValueIn(JsonObject stored) => stored[Name] is { } node ? _convert(node) : _fallback;

    /// <summary>The same field with a default: absent from the input, the stored configuration still names it.</summary>
    internal ConfigField<TOut> WithDefault<TOut>(TOut value, JsonNode json, Func<JsonNode, TOut> convert, Func<TOut, string?>[] checks)
    {
        var description = (JsonObject)_description.DeepClone();
        description["default"] = json.DeepClone();
        description["required"] = true;
        return new ConfigField<TOut>(Name, description, _read, convert, value, json, checks);
    }

    /// <summary>The same field with a further check on its value when given (the error lands on the field's own path).</summary>
    public ConfigField<T> Check(Func<T, string?> problem, string? kongKey = null, JsonNode? kongValue = null)
    {
        var description = (JsonObject)_description.DeepClone();
        if (kongKey is not null)
        {
            description[kongKey] = kongValue?.DeepClone();
        }

        return new ConfigField<T>(Name, description, _read, _convert, _fallback, _default, [.. _checks, problem]);
    }

    /// <summary>The same field with one more property in Kong's description of it (<c>unique</c>, <c>auto</c>...), which validation does not read.</summary>
    public ConfigField<T> Described(string kongKey, JsonNode kongValue)
    {
        var description = (JsonObject)_description.DeepClone();
        description[kongKey] = kongValue.DeepClone();
        return new ConfigField<T>(Name, description, _read, _convert, _fallback, _default, _checks);
    }

    internal Func<T, string?>[] Checks => _checks;

    /// <summary>Kong's description of this field (a copy).</summary>
    internal JsonObject Description => (JsonObject)_description.DeepClone();

    internal override void Read(FieldReader reader, JsonObject output)
    {
        var node = _read(reader, new ConfigValues(output));
        if (node is not null)
        {
            var value = _convert(node);
            foreach (var check in _checks)
            {
                if (check(value) is { } problem)
                {
                    reader.Error(Name, problem);
                    break;
                }
            }
        }

        output[Name] = node ?? _default?.DeepClone();
    }

    internal override void Describe(JsonArray fields, JsonArray checks) =>
        fields.Add(new JsonObject { [Name] = _description.DeepClone() });
}
