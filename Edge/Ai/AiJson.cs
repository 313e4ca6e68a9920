using System.Text.Json;
using System.Text.Json.Nodes;

namespace Turnpike.Edge.Ai;

/// <summary>Reading loosely typed JSON from clients and providers without throwing on a field of the wrong kind.</summary>
internal static class AiJson
{
    public static long Long(JsonNode? node) => Number(node) is { } number ? (long)number : 0;

    /// <summary>A number, whether parsed from text or put in by code as an int or a double (which JsonValue keeps apart).</summary>
    public static double? Number(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            ? double.Parse(value.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    public static string? String(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    public static bool True(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.True;

    /// <summary>A message's content as text: a string, or the text parts of an array of parts joined.</summary>
    public static string Text(JsonNode? content) => content switch
    {
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Select(p => p is JsonObject part && String(part["type"]) is "text" or null ? String(part["text"]) : null)),
        _ => "",
    };

    /// <summary>Parses a JSON text that should hold an object (tool arguments, say); an empty object when it does not.</summary>
    public static JsonObject ParseObject(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>
    /// Adds a turn of <paramref name="role"/> to a conversation, merged into the last turn when that has the same
    /// role: providers that want roles to alternate (Anthropic, Gemini) get one turn per change of role.
    /// <paramref name="items"/> is the turn's array of content blocks or parts, named <paramref name="itemsName"/>.
    /// </summary>
    public static void AppendTurn(JsonArray turns, string role, string itemsName, JsonArray items)
    {
        if (turns.Count > 0 && turns[^1] is JsonObject last && String(last["role"]) == role && last[itemsName] is JsonArray merged)
        {
            foreach (var item in items.ToArray())
            {
                items.Remove(item); // a node has one parent: detach before adding
                merged.Add(item);
            }
        }
        else if (items.Count > 0)
        {
            turns.Add(new JsonObject { ["role"] = role, [itemsName] = items });
        }
    }

    /// <summary>A string or an array of strings (OpenAI's <c>stop</c>) as an array; null when absent.</summary>
    public static JsonArray? StringList(JsonNode? node) => node switch
    {
        JsonArray list => (JsonArray)list.DeepClone(),
        JsonValue single when String(single) is { } one => new JsonArray(one),
        _ => null,
    };
}
