using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Turnpike.Tests.Infrastructure;

/// <summary>One event of a fixture: an SSE event (its <c>event:</c> name, if any, and data), one JSON line, or a whole JSON body.</summary>
internal sealed record FixtureEvent(string? Name, string Data);

/// <summary>
/// The LLM providers' canned wire-format answers under <c>Fixtures/ai-proxy/&lt;provider&gt;/…</c> (copied beside the
/// test assembly), and how they are filled in. A fixture is a JSON body (<c>.json</c>), a server-sent event stream
/// (<c>.sse</c>: events separated by blank lines) or JSON lines (<c>.ndjson</c>); every JSON value of the form
/// <c>"{{name}}"</c> is replaced by that value (a number stays a number, an object an object), <c>"{{name?}}"</c> is
/// left out when the value is 0 or null, and <c>{{name}}</c> inside a longer string is replaced by its text.
/// An event holding <c>{{pieces}}</c> is repeated for each piece of the reply text, <c>{{leading_pieces}}</c> for all
/// but the last, <c>{{last_piece}}</c> once with the last, <c>{{argument_pieces}}</c> for each half of a tool call's
/// arguments. See Fixtures/ai-proxy/README.md. Has no test-framework dependency: the benchmark project links this file too.
/// </summary>
internal static partial class AiFixtures
{
    // Providers send JSON unescaped (a tool call's arguments stay readable); the default encoder would write \u0022.
    public static readonly JsonSerializerOptions Wire = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly ConcurrentDictionary<string, IReadOnlyList<FixtureEvent>> Cache = new(StringComparer.Ordinal);

    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "ai-proxy");

    /// <summary>The events of <paramref name="path"/> (relative to <see cref="Root"/>, with forward slashes), as written.</summary>
    public static IReadOnlyList<FixtureEvent> Load(string path) => Cache.GetOrAdd(path, static p =>
    {
        var text = File.ReadAllText(Path.Combine(Root, p.Replace('/', Path.DirectorySeparatorChar))).ReplaceLineEndings("\n");
        return Path.GetExtension(p) switch
        {
            ".json" => [new FixtureEvent(null, text)],
            ".ndjson" => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => new FixtureEvent(null, line))],
            ".sse" => [.. text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(ParseEvent)],
            _ => throw new ArgumentException("Not a fixture: " + p, nameof(path)),
        };
    });

    /// <summary>The events of <paramref name="path"/>, filled in with <paramref name="values"/>; JSON data comes out compact.</summary>
    public static List<FixtureEvent> Render(string path, FixtureValues values)
    {
        var rendered = new List<FixtureEvent>();
        foreach (var fixtureEvent in Load(path))
        {
            foreach (var (name, value) in Repeats(fixtureEvent.Data, values))
            {
                var filled = name is null ? values.Values : new Dictionary<string, JsonNode?>(values.Values, StringComparer.Ordinal) { [name] = value };
                rendered.Add(fixtureEvent with { Data = Fill(fixtureEvent.Data, filled) });
            }
        }

        return rendered;
    }

    /// <summary>A one-event fixture (a JSON body), filled in.</summary>
    public static JsonObject RenderJson(string path, FixtureValues values) =>
        JsonNode.Parse(Render(path, values).Single().Data)!.AsObject();

    /// <summary>Fills the placeholders of one JSON document (data that is not JSON, as <c>[DONE]</c>, is kept as it is).</summary>
    public static string Fill(string data, IReadOnlyDictionary<string, JsonNode?> values)
    {
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(data);
        }
        catch (JsonException)
        {
            return data; // OpenAI's [DONE]
        }

        return Fill(json, values)?.ToJsonString(Wire) ?? "null";
    }

    public static JsonNode? Fill(JsonNode? node, IReadOnlyDictionary<string, JsonNode?> values)
    {
        switch (node)
        {
            case JsonObject json:
                var filled = new JsonObject();
                foreach (var (key, value) in json)
                {
                    if (value is JsonValue v && v.TryGetValue(out string? text) && Whole().Match(text) is { Success: true } optional
                        && optional.Groups[2].Success && IsEmpty(Lookup(values, optional.Groups[1].Value)))
                    {
                        continue;
                    }

                    filled[key] = Fill(value, values);
                }

                return filled;
            case JsonArray array:
                return new JsonArray([.. array.Select(item => Fill(item, values))]);
            case JsonValue value when value.TryGetValue(out string? text):
                if (Whole().Match(text) is { Success: true } whole)
                {
                    return Lookup(values, whole.Groups[1].Value)?.DeepClone();
                }

                return JsonValue.Create(Placeholder().Replace(text, m => Lookup(values, m.Groups[1].Value) switch
                {
                    JsonValue s when s.TryGetValue(out string? str) => str,
                    null => "",
                    var other => other.ToJsonString(Wire),
                }));
            default:
                return node?.DeepClone();
        }
    }

    /// <summary>About three pieces, split after spaces, that concatenate back to <paramref name="text"/> exactly.</summary>
    public static List<string> SplitText(string text)
    {
        var words = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == ' ' && (i + 1 == text.Length || text[i + 1] != ' '))
            {
                words.Add(text[start..(i + 1)]);
                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            words.Add(text[start..]);
        }

        if (words.Count == 0)
        {
            return [text];
        }

        var count = Math.Min(3, words.Count);
        var pieces = new List<string>(count);
        for (var p = 0; p < count; p++)
        {
            var from = p * words.Count / count;
            var to = (p + 1) * words.Count / count;
            pieces.Add(string.Concat(words.GetRange(from, to - from)));
        }

        return pieces;
    }

    public static List<string> SplitInTwo(string text) =>
        text.Length < 2 ? [text] : [text[..(text.Length / 2)], text[(text.Length / 2)..]];

    private static IEnumerable<(string? Name, JsonNode? Value)> Repeats(string data, FixtureValues values)
    {
        IEnumerable<string>? pieces = null;
        string? name = null;
        foreach (var (repeat, list) in new (string, Func<IEnumerable<string>>)[]
        {
            ("pieces", () => values.Pieces),
            ("leading_pieces", () => values.Pieces.Take(values.Pieces.Count - 1)),
            ("last_piece", () => values.Pieces.TakeLast(1)),
            ("argument_pieces", () => values.ArgumentPieces),
        })
        {
            if (data.Contains("{{" + repeat + "}}", StringComparison.Ordinal))
            {
                (name, pieces) = (repeat, list());
                break;
            }
        }

        if (pieces is null)
        {
            yield return (null, null);
            yield break;
        }

        foreach (var piece in pieces)
        {
            yield return (name, JsonValue.Create(piece));
        }
    }

    private static JsonNode? Lookup(IReadOnlyDictionary<string, JsonNode?> values, string name) =>
        values.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"The fixture names {{{{{name}}}}}, which has no value.");

    private static bool IsEmpty(JsonNode? value) => value is null || (value is JsonValue v && v.TryGetValue(out long number) && number == 0);

    private static FixtureEvent ParseEvent(string block)
    {
        string? name = null;
        var data = new List<string>();
        foreach (var line in block.Split('\n'))
        {
            if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                name = line[6..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Add(line[5..].TrimStart(' '));
            }
        }

        return new FixtureEvent(name, string.Join('\n', data));
    }

    [GeneratedRegex(@"^\{\{(\w+)(\?)?\}\}$")]
    private static partial Regex Whole();

    [GeneratedRegex(@"\{\{(\w+)\}\}")]
    private static partial Regex Placeholder();
}

/// <summary>What fills a fixture's placeholders: named values, and the pieces a streamed reply is cut into.</summary>
internal sealed class FixtureValues
{
    public required Dictionary<string, JsonNode?> Values { get; init; }

    public IReadOnlyList<string> Pieces { get; init; } = [];

    public IReadOnlyList<string> ArgumentPieces { get; init; } = [];

    /// <summary>The values of one answer: ids and times made up here, the rest as given.</summary>
    public static FixtureValues For(
        string model,
        string text,
        string finish,
        int promptTokens,
        int completionTokens,
        int cachedTokens,
        (string Name, string ArgumentsJson)? toolCall,
        string? id = null,
        string? callId = null,
        DateTimeOffset? now = null)
    {
        var time = now ?? DateTimeOffset.UtcNow;
        var arguments = toolCall?.ArgumentsJson ?? "{}";
        return new FixtureValues
        {
            Values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
            {
                ["model"] = model,
                ["id"] = id ?? NewId(),
                ["call_id"] = callId ?? NewId(),
                ["created"] = time.ToUnixTimeSeconds(),
                ["created_at"] = time.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
                ["text"] = text,
                ["finish"] = finish,
                ["prompt_tokens"] = promptTokens,
                ["completion_tokens"] = completionTokens,
                ["total_tokens"] = promptTokens + completionTokens,
                ["cached_tokens"] = cachedTokens,
                ["tool_name"] = toolCall?.Name ?? "",
                ["arguments"] = arguments,
                ["arguments_object"] = JsonNode.Parse(arguments) ?? new JsonObject(),
            },
            Pieces = AiFixtures.SplitText(text),
            ArgumentPieces = AiFixtures.SplitInTwo(arguments),
        };
    }

    private static string NewId() => Guid.NewGuid().ToString("N")[..24];
}
