using Turnpike.Edge.Plugins.RequestTransformer;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.ResponseTransformer;

/// <summary>
/// Kong's response-transformer: removes, renames, replaces, adds and appends response headers and fields of
/// a JSON response body (in that order). Body operations make the edge read the response whole.
/// </summary>
internal sealed class ResponseTransformerPlugin : GatewayPlugin<ResponseTransformerOptions>
{
    private static readonly ConfigField<ResponseParts> Remove = Action("remove");
    private static readonly ConfigField<ResponseParts> Rename = Action("rename");
    private static readonly ConfigField<ResponseParts> Replace = Action("replace");
    private static readonly ConfigField<ResponseParts> Add = Action("add");
    private static readonly ConfigField<ResponseParts> Append = Action("append");

    private static readonly ConfigSchema<ResponseTransformerOptions> Schema = new(
        [Remove, Rename, Replace, Add, Append],
        c =>
        {
            var (remove, rename, replace, add, append) = (c.Get(Remove), c.Get(Rename), c.Get(Replace), c.Get(Add), c.Get(Append));
            return new(
                PartOperations.From(remove.Headers, rename.Headers, replace.Headers, add.Headers, append.Headers, headers: true),
                PartOperations.From(remove.Json, rename.Json, replace.Json, add.Json, append.Json, headers: false),
                JsonTypesOf(replace, add, append));
        });

    public override string Name => "response-transformer";

    public override int Priority => 800;

    public override ConfigSchema<ResponseTransformerOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(ResponseTransformerOptions options, Guid instanceId) =>
        new ResponseTransformerHandler(options.Headers, options.Json, options.JsonTypes);

    /// <summary>One action's record: its header and JSON entries, and for replace, add and append the JSON types. Never coerced from a form.</summary>
    private static ConfigField<ResponseParts> Action(string action)
    {
        var headers = Field.Strings("headers", PartOperations.Check(action, "headers")).Default();
        var json = Field.Strings("json", PartOperations.Check(action, "json")).Default();
        var jsonTypes = action is "replace" or "add" or "append" ? Field.Strings("json_types", oneOf: ["string", "boolean", "number"]).Default() : null;
        ConfigStep[] steps = jsonTypes is null ? [headers, json] : [headers, json, jsonTypes];
        return Field.Record(action, new ConfigSchema<ResponseParts>(steps, c => new(c.Get(headers), c.Get(json), jsonTypes is null ? [] : c.Get(jsonTypes))), coerce: false);
    }

    /// <summary>The declared JSON type of each replaced, added or appended field (Kong's <c>json_types</c>, by position).</summary>
    private static Dictionary<string, string> JsonTypesOf(params ResponseParts[] actions)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            for (var i = 0; i < Math.Min(action.Json.Length, action.JsonTypes.Length); i++)
            {
                var field = action.Json[i];
                types[field[..field.IndexOf(':', StringComparison.Ordinal)]] = action.JsonTypes[i];
            }
        }

        return types;
    }
}

/// <summary>One response-transformer action's entries.</summary>
internal sealed record ResponseParts(string[] Headers, string[] Json, string[] JsonTypes);

/// <summary>One response-transformer instance's operations, parsed once.</summary>
internal sealed record ResponseTransformerOptions(PartOperations Headers, PartOperations Json, Dictionary<string, string> JsonTypes);
