using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.OpenTelemetry;

/// <summary>
/// Kong's <c>map</c> of strings to strings (the opentelemetry plugin's <c>headers</c> and <c>resource_attributes</c>):
/// every value a non-empty string without control characters, every key checked by the caller's rule.
/// </summary>
internal static class StringMapField
{
    public static ConfigField<Dictionary<string, string>?> Of(string name, Func<string, string?> keyProblem, int maxEntries = 64)
    {
        var description = Field.Describe("map", false);
        description["keys"] = Field.Describe("string", true);
        description["values"] = Field.Describe("string", true);
        return Field.Custom(name, description, (r, _) => Read(r, name, keyProblem, maxEntries), ToMap);
    }

    private static Dictionary<string, string> ToMap(JsonNode node) =>
        node.AsObject().ToDictionary(e => e.Key, e => e.Value!.GetValue<string>(), StringComparer.Ordinal);

    private static JsonObject? Read(FieldReader r, string name, Func<string, string?> keyProblem, int maxEntries)
    {
        if (r.Object(name) is not { } map)
        {
            return null; // absent, or Object() reported "expected a record"
        }

        if (map.Count > maxEntries)
        {
            r.Error(name, $"expected at most {maxEntries} entries");
            return null;
        }

        var inner = new FieldReader(map, r.Errors, r.PathOf(name) + ".", r.Coerce);
        var stored = new JsonObject();
        foreach (var (key, _) in map.ToList())
        {
            if ((keyProblem(key) ?? TextRules.Control(key)) is { } problem)
            {
                inner.Error(key, problem);
                inner.Raw(key);
                continue;
            }

            if (inner.String(key, required: true) is { } value)
            {
                if (value.Length == 0)
                {
                    inner.Error(key, "length must be at least 1");
                    continue;
                }

                stored[key] = value;
            }
        }

        return stored;
    }
}
