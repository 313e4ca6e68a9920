using System.Text.Json;
using System.Text.Json.Nodes;

namespace Turnpike.Edge.Admin;

/// <summary>
/// Parses an admin JSON body within <see cref="AdminInputLimits"/>: a first pass with <see cref="Utf8JsonReader"/>
/// (iterative, no recursion) refuses too deep nesting and duplicate keys, naming them, before
/// <see cref="JsonNode"/> builds anything; <see cref="JsonObject"/> would otherwise throw on a duplicate key when
/// first touched, far from here.
/// </summary>
internal static class BoundedJson
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = AdminInputLimits.MaxDepth };

    /// <summary>The parsed document, or why it is refused (a sentence to follow "Cannot parse JSON body: ").</summary>
    public static (JsonNode? Node, string? Problem) Parse(ReadOnlySpan<byte> utf8)
    {
        if (Check(utf8) is { } problem)
        {
            return (null, problem);
        }

        try
        {
            return (JsonNode.Parse(utf8, documentOptions: DocumentOptions), null);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            return (null, "invalid JSON");
        }
    }

    private static string? Check(ReadOnlySpan<byte> utf8)
    {
        // One above the budget, so that the reader hands us the offending token instead of throwing its own message.
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = AdminInputLimits.MaxDepth + 1 });
        var keys = new Stack<HashSet<string>?>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        if (reader.CurrentDepth >= AdminInputLimits.MaxDepth)
                        {
                            return $"nested too deeply (more than {AdminInputLimits.MaxDepth} levels)";
                        }

                        keys.Push(reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        keys.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var key = reader.GetString()!;
                        if (!keys.Peek()!.Add(key))
                        {
                            return $"duplicate key '{(key.Length > 100 ? key[..100] + "..." : key)}'";
                        }

                        break;
                    case JsonTokenType.String:
                        _ = reader.GetString(); // invalid UTF-8 or a lone surrogate throws here, not later in a schema's read
                        break;
                }
            }

            return null;
        }
        catch (JsonException)
        {
            return "invalid JSON";
        }
        catch (InvalidOperationException)
        {
            return "invalid JSON";
        }
    }
}
