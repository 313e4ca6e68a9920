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
    /// <summary>The first document, within <see cref="AdminInputLimits"/> (see <see cref="YamlJsonReader"/>).</summary>
    public static JsonNode? Parse(string text) => YamlJsonReader.Read(text);

    public static string Write(JsonNode node)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        var document = new YamlDocument(ToYaml(node));
        new YamlStream(document).Save(writer, assignAnchors: false);
        var text = writer.ToString();
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    /// <summary>A scalar by YAML's core schema: quoted and block scalars are strings, plain ones may be numbers, booleans or null.</summary>
    public static JsonNode? Scalar(string value, ScalarStyle style)
    {
        if (style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
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

    // Recursive, but only over tables the admin API stored, which its readers kept within AdminInputLimits.MaxDepth.
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
                var plain = Scalar(text, ScalarStyle.Any) is JsonValue parsed && parsed.TryGetValue<string>(out _) && text.Trim() == text && text.Length > 0;
                return new YamlScalarNode(text) { Style = plain ? ScalarStyle.Any : ScalarStyle.DoubleQuoted };
            case null:
                return new YamlScalarNode("null");
            default:
                return new YamlScalarNode(node.ToJsonString());
        }
    }
}
