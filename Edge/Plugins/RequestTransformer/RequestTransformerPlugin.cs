using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.RequestTransformer;

/// <summary>
/// Kong's request-transformer: removes, renames, replaces, adds and appends headers, query parameters and
/// form or JSON body fields (in that order), and can change the method and the upstream path.
/// </summary>
internal sealed class RequestTransformerPlugin : IGatewayPlugin
{
    private static readonly string[] Parts = ["headers", "querystring", "body"];

    public string Name => "request-transformer";

    public int Priority => 801;

    public string Version => "1.0.0";

    public JsonObject ReadConfig(FieldReader config)
    {
        var result = new JsonObject { ["http_method"] = config.String("http_method") };
        if (result["http_method"]?.GetValue<string>() is { } method && (method.Length == 0 || !method.All(char.IsAsciiLetterUpper)))
        {
            config.Error("http_method", "invalid value: " + method);
        }

        foreach (var action in new[] { "remove", "rename", "replace", "add", "append" })
        {
            var section = config.Object(action) ?? [];
            var reader = new FieldReader(section, config.Errors, config.PathOf(action) + ".", coerce: false);
            var read = new JsonObject();
            foreach (var part in Parts)
            {
                var values = reader.Strings(part, PartOperations.Check(action, part)) ?? [];
                read[part] = new JsonArray([.. values.Select(v => (JsonNode?)v)]);
            }

            if (action == "replace")
            {
                read["uri"] = reader.String("uri");
            }

            reader.RejectUnknown();
            result[action] = read;
        }

        config.RejectUnknown();
        return result;
    }

    public IPluginHandler CreateHandler(JsonObject config, Guid instanceId) => new RequestTransformerHandler(RequestTransformation.From(config));

}
