using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Turnpike.Edge.Admin.Declarative;

/// <summary>
/// YAML (and so JSON, its subset) to JSON nodes and back. Plain scalars become numbers, booleans and
/// nulls by YAML's core schema; quoted scalars stay strings.
/// </summary>
internal static class YamlJson
{
    public static JsonNode? Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    public static string Write(JsonNode node)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        var document = new YamlDocument(ToYaml(node));
        new YamlStream(document).Save(writer, assignAnchors: false);
        var text = writer.ToString();
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? "", Convert(c.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(Convert)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return value;
        }

        return value switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) => integer,
            _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && value.Any(char.IsDigit) => real,
            _ => value,
        };
    }

    private static YamlNode ToYaml(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var map = new YamlMappingNode();
                foreach (var (key, value) in obj)
                {
                    map.Add(new YamlScalarNode(key), ToYaml(value));
                }

                return map;
            case JsonArray array:
                var seq = new YamlSequenceNode();
                foreach (var item in array)
                {
                    seq.Add(ToYaml(item));
                }

                return seq;
            case JsonValue value when value.TryGetValue<string>(out var text):
                // Quote strings a reader would otherwise take for another type.
                var plain = Scalar(new YamlScalarNode(text)) is JsonValue parsed && parsed.TryGetValue<string>(out _) && text.Trim() == text && text.Length > 0;
                return new YamlScalarNode(text) { Style = plain ? ScalarStyle.Any : ScalarStyle.DoubleQuoted };
            case null:
                return new YamlScalarNode("null");
            default:
                return new YamlScalarNode(node.ToJsonString());
        }
    }
}
