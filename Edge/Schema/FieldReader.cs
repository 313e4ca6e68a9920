using System.Text.Json;
using System.Text.Json.Nodes;

namespace Turnpike.Edge.Schema;

/// <summary>
/// Reads typed fields from a JSON object, recording Kong-worded errors and remembering which fields were
/// read so that <see cref="RejectUnknown"/> can name the rest. With <c>coerce</c> (form-encoded bodies),
/// strings stand for numbers and booleans and a single value for an array, as Kong accepts them.
/// </summary>
internal sealed class FieldReader(JsonObject json, FieldErrors errors, string path = "", bool coerce = false)
{
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private Dictionary<string, JsonNode?>? _supplied;

    public FieldErrors Errors => errors;

    public bool Coerce => coerce;

    public string PathOf(string name) => path + name;

    public bool Has(string name) => Lookup(name) is not null;

    public void Error(string name, string message) => errors.Add(PathOf(name), message);

    public JsonNode? Raw(string name)
    {
        _read.Add(name);
        return Lookup(name);
    }

    /// <summary>
    /// Gives <paramref name="name"/> a value as if the admin had written it (a shorthand such as a service's <c>url</c>
    /// expanding into <c>host</c>, <c>port</c>...); the field's own declaration then validates it. The body is left as it is.
    /// </summary>
    public void Supply(string name, JsonNode? value) => (_supplied ??= new(StringComparer.Ordinal))[name] = value;

    /// <summary>
    /// A string, free of control characters (<see cref="TextRules"/>); <paramref name="multiLine"/> lets tab, CR and LF
    /// through for the few fields that are text by nature (PEM keys, bodies, prompts), never NUL or the rest.
    /// </summary>
    public string? String(string name, bool required = false, bool multiLine = false)
    {
        var node = Raw(name);
        if (node is null)
        {
            if (required)
            {
                Error(name, "required field missing");
            }

            return null;
        }

        if (node is JsonValue value && value.TryGetValue<string>(out var text))
        {
            if (TextRules.Control(text, multiLine) is { } problem)
            {
                Error(name, problem);
                return null;
            }

            return text;
        }

        Error(name, "expected a string");
        return null;
    }

    /// <summary>A header name an admin configures: a string that is an RFC 7230 token.</summary>
    public string? HeaderName(string name, bool required = false)
    {
        var value = String(name, required);
        if (value is not null && TextRules.HeaderName(value) is { } problem)
        {
            Error(name, problem);
            return null;
        }

        return value;
    }

    /// <summary>A string that must be one of <paramref name="allowed"/>.</summary>
    public string? OneOf(string name, string[] allowed, bool required = false)
    {
        var value = String(name, required);
        if (value is not null && !allowed.Contains(value))
        {
            Error(name, $"expected one of: {string.Join(", ", allowed)}");
        }

        return value;
    }

    public int? Integer(string name, int min, int max, bool required = false)
    {
        var node = Raw(name);
        if (node is null)
        {
            if (required)
            {
                Error(name, "required field missing");
            }

            return null;
        }

        long number;
        var kind = node is JsonValue value ? value.GetValueKind() : JsonValueKind.Undefined;
        var text = kind is JsonValueKind.Number ? node.ToJsonString() : coerce && kind is JsonValueKind.String ? node.GetValue<string>() : null;
        if (text is not null && long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            number = parsed;
        }
        else if (kind is JsonValueKind.Number && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var real) && real == Math.Floor(real) && Math.Abs(real) < long.MaxValue)
        {
            number = (long)real;
        }
        else
        {
            Error(name, "expected an integer");
            return null;
        }

        if (number < min || number > max)
        {
            Error(name, $"value should be between {min} and {max}");
            return null;
        }

        return (int)number;
    }

    /// <summary>A number between <paramref name="min"/> and <paramref name="max"/>, integral or not.</summary>
    public double? Number(string name, double min, double max, bool required = false)
    {
        var node = Raw(name);
        if (node is null)
        {
            if (required)
            {
                Error(name, "required field missing");
            }

            return null;
        }

        var kind = node is JsonValue value ? value.GetValueKind() : JsonValueKind.Undefined;
        var text = kind is JsonValueKind.Number ? node.ToJsonString() : coerce && kind is JsonValueKind.String ? node.GetValue<string>() : null;
        if (text is null || !double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            Error(name, "expected a number");
            return null;
        }

        if (number < min || number > max)
        {
            Error(name, $"value should be between {min.ToString(System.Globalization.CultureInfo.InvariantCulture)} and {max.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            return null;
        }

        return number;
    }

    /// <summary>A nested record read with its own reader (paths like <c>config.model.name</c> in errors); null when absent.</summary>
    public FieldReader? Record(string name)
    {
        var obj = Object(name);
        return obj is null ? null : new FieldReader(obj, errors, PathOf(name) + ".", coerce);
    }

    public bool? Boolean(string name)
    {
        var node = Raw(name);
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetValue<bool>();
        }

        if (coerce && node is JsonValue text && text.TryGetValue<string>(out var s) && bool.TryParse(s, out var parsed))
        {
            return parsed;
        }

        Error(name, "expected a boolean");
        return null;
    }

    /// <summary>An array of strings free of control characters; each element then checked by <paramref name="check"/> (returns an error message or null).</summary>
    public string[]? Strings(string name, Func<string, string?>? check = null)
    {
        var node = Raw(name);
        if (node is null)
        {
            return null;
        }

        if (coerce && node is JsonValue single && single.TryGetValue<string>(out var one))
        {
            node = new JsonArray(one);
        }

        if (node is not JsonArray array)
        {
            Error(name, "expected a set");
            return null;
        }

        var result = new List<string>(array.Count);
        var ok = true;
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonValue element && element.TryGetValue<string>(out var text))
            {
                if ((TextRules.Control(text) ?? check?.Invoke(text)) is { } problem)
                {
                    errors.Add($"{PathOf(name)}[{i}]", problem);
                    ok = false;
                }

                result.Add(text);
            }
            else
            {
                errors.Add($"{PathOf(name)}[{i}]", "expected a string");
                ok = false;
            }
        }

        return ok ? [.. result] : null;
    }

    public JsonObject? Object(string name)
    {
        var node = Raw(name);
        if (node is null)
        {
            return null;
        }

        if (node is JsonObject obj)
        {
            return obj;
        }

        Error(name, "expected a record");
        return null;
    }

    public Guid? Id(string name)
    {
        var text = String(name);
        if (text is null)
        {
            return null;
        }

        if (EntityIds.TryParse(text, out var id))
        {
            return id;
        }

        Error(name, "expected a valid UUID");
        return null;
    }

    /// <summary>A foreign key in Kong's shape, <c>{"id": "..."}</c>; null when absent or JSON null.</summary>
    public Guid? ForeignKey(string name)
    {
        var obj = Object(name);
        if (obj is null)
        {
            return null;
        }

        var reader = new FieldReader(obj, errors, PathOf(name) + ".", coerce);
        var id = reader.Id("id");
        if (id is null && !reader.Has("id"))
        {
            errors.Add(PathOf(name) + ".id", "required field missing");
        }

        reader.RejectUnknown();
        return id;
    }

    private JsonNode? Lookup(string name) => _supplied is not null && _supplied.TryGetValue(name, out var supplied) ? supplied : json[name];

    /// <summary>Reports every field that no reader method asked for.</summary>
    public void RejectUnknown()
    {
        foreach (var (name, _) in json)
        {
            if (!_read.Contains(name))
            {
                Error(name, "unknown field");
            }
        }
    }
}
