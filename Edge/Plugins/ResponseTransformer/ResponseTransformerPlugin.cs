using System.Text.Json.Nodes;
using Turnpike.Edge.Plugins.RequestTransformer;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.ResponseTransformer;

/// <summary>
/// Kong's response-transformer: removes, renames, replaces, adds and appends response headers and fields of
/// a JSON response body (in that order). Body operations make the edge read the response whole.
/// </summary>
internal sealed class ResponseTransformerPlugin : IGatewayPlugin
{
    private static readonly string[] JsonTypes = ["string", "boolean", "number"];

    public string Name => "response-transformer";

    public int Priority => 800;

    public string Version => "1.0.0";

    public JsonObject ReadConfig(FieldReader config)
    {
        var result = new JsonObject();
        foreach (var action in new[] { "remove", "rename", "replace", "add", "append" })
        {
            var reader = new FieldReader(config.Object(action) ?? [], config.Errors, config.PathOf(action) + ".", coerce: false);
            var read = new JsonObject();
            foreach (var part in new[] { "headers", "json" })
            {
                var values = reader.Strings(part, PartOperations.Check(action, part)) ?? [];
                read[part] = new JsonArray([.. values.Select(v => (JsonNode?)v)]);
            }

            if (action is "replace" or "add" or "append")
            {
                var types = reader.Strings("json_types", t => JsonTypes.Contains(t) ? null : "expected one of: " + string.Join(", ", JsonTypes)) ?? [];
                read["json_types"] = new JsonArray([.. types.Select(t => (JsonNode?)t)]);
            }

            reader.RejectUnknown();
            result[action] = read;
        }

        config.RejectUnknown();
        return result;
    }

    public IPluginHandler CreateHandler(JsonObject config, Guid instanceId) => new ResponseTransformerHandler(
        PartOperations.From(config, "headers"),
        PartOperations.From(config, "json"),
        JsonTypesOf(config));


    /// <summary>The declared JSON type of each replaced, added or appended field (Kong's <c>json_types</c>, by position).</summary>
    private static Dictionary<string, string> JsonTypesOf(JsonObject config)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var action in new[] { "replace", "add", "append" })
        {
            var fields = config[action]!["json"]!.AsArray();
            var declared = config[action]!["json_types"]!.AsArray();
            for (var i = 0; i < Math.Min(fields.Count, declared.Count); i++)
            {
                var field = fields[i]!.GetValue<string>();
                types[field[..field.IndexOf(':', StringComparison.Ordinal)]] = declared[i]!.GetValue<string>();
            }
        }

        return types;
    }
}
