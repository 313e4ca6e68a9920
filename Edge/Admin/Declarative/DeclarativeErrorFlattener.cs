using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Turnpike.Edge.Admin.Declarative;

/// <summary>
/// Kong's <c>flatten_errors</c> (<c>kong/db/errors.lua</c>, <c>declarative_config_flattened</c>): a file's errors as one list
/// of the entities that have them, each <c>{entity_name, entity_id, entity_tags, entity_type, entity, errors:
/// [{type, field, message}]}</c>, which the ingress controller maps back to its resources by their tags. What nests
/// under an entity is reported on its own entry (and left out of its parent's <c>entity</c>, which gets the parent's
/// key instead when the parent gave an id). <c>entity_name</c>, <c>entity_id</c> and <c>entity_tags</c> are given only when
/// well-formed (a non-empty string, a UUID, a list of strings). Errors that belong to no entity (the format version,
/// an unknown top-level field) stay in <c>fields</c>. Fields are Kong's dotted paths, array positions counted from 1
/// (<c>paths.1</c>); an <c>@entity</c> error is of type <c>entity</c>, without a field.
/// </summary>
internal static partial class DeclarativeErrorFlattener
{
    /// <summary>Kong's error with <c>flattened_errors</c>: what belongs to no entity stays in <c>fields</c> and the message (<c>{}</c> when nothing does).</summary>
    public static JsonObject ErrorBody(DeclarativeReadResult read)
    {
        var (flattened, remaining) = Flatten(read);
        var error = DeclarativeConfig.Invalid(remaining);
        return new JsonObject
        {
            ["code"] = error.Code,
            ["name"] = error.Name,
            ["message"] = error.Message,
            ["fields"] = AdminJson.ExpandFields(remaining),
            ["flattened_errors"] = flattened,
        };
    }

    /// <returns>The flattened list, and the errors left for <c>fields</c>.</returns>
    public static (JsonArray Flattened, IReadOnlyDictionary<string, string> Remaining) Flatten(DeclarativeReadResult result)
    {
        var entities = result.Entities;
        var byPath = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < entities.Count; i++)
        {
            byPath[entities[i].Path] = i;
        }

        var perEntity = new SortedDictionary<int, List<(string Field, string Message)>>();
        var rest = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, message) in result.Errors)
        {
            if (Owner(key, byPath) is var (index, fieldStart) && index >= 0)
            {
                if (!perEntity.TryGetValue(index, out var list))
                {
                    perEntity[index] = list = [];
                }

                list.Add((key[fieldStart..], message));
            }
            else
            {
                rest[key] = message;
            }
        }

        var flattened = new JsonArray();
        foreach (var (index, errors) in perEntity)
        {
            flattened.Add(Entry(entities[index], entities, errors));
        }

        return (flattened, rest);
    }

    private static JsonObject Entry(DeclarativeEntityInput input, IReadOnlyList<DeclarativeEntityInput> entities, List<(string Field, string Message)> errors)
    {
        var item = input.Item;
        var entry = new JsonObject();
        if (item["name"] is JsonValue name && name.TryGetValue<string>(out var nameText) && nameText.Length > 0)
        {
            entry["entity_name"] = nameText;
        }

        if (IdOf(item) is { } id)
        {
            entry["entity_id"] = id;
        }

        if (item["tags"] is JsonArray tags && tags.All(t => t is JsonValue v && v.TryGetValue<string>(out _)))
        {
            entry["entity_tags"] = tags.DeepClone();
        }

        entry["entity_type"] = input.Kind.Field.EndsWith('s') ? input.Kind.Field[..^1] : input.Kind.Field;
        entry["entity"] = Echo(input, entities);
        var list = new JsonArray();
        foreach (var (field, message) in errors.OrderBy(e => IsEntityError(e.Field) ? 0 : 1).ThenBy(e => e.Field, StringComparer.Ordinal))
        {
            list.Add(IsEntityError(field)
                ? new JsonObject { ["type"] = "entity", ["message"] = message }
                : new JsonObject { ["type"] = "field", ["field"] = KongField(field), ["message"] = message });
        }

        entry["errors"] = list;
        return entry;
    }

    /// <summary>The file's record without what nests under it (reported on its own), with its parent's key when the parent gave an id.</summary>
    private static JsonObject Echo(DeclarativeEntityInput input, IReadOnlyList<DeclarativeEntityInput> entities)
    {
        var echo = (JsonObject)input.Item.DeepClone();
        foreach (var child in input.Kind.Children)
        {
            if (echo[child.Field] is JsonArray)
            {
                echo.Remove(child.Field);
            }
        }

        if (input.Parent >= 0 && input.Kind.ParentField is { } parentField && echo[parentField] is null && IdOf(entities[input.Parent].Item) is { } parentId)
        {
            echo[parentField] = new JsonObject { ["id"] = parentId };
        }

        return echo;
    }

    private static string? IdOf(JsonObject item) =>
        item["id"] is JsonValue value && value.TryGetValue<string>(out var text) && Guid.TryParseExact(text, "D", out _) ? text : null;

    /// <summary>The entity an error key belongs to: the longest entity path the key continues (<c>services[0].routes[1].paths[0]</c> → <c>services[0].routes[1]</c>).</summary>
    private static (int Index, int FieldStart) Owner(string key, Dictionary<string, int> byPath)
    {
        var start = key.Length - 1;
        while (start > 0)
        {
            var end = key.LastIndexOf("].", start, StringComparison.Ordinal);
            if (end < 0)
            {
                break;
            }

            if (byPath.TryGetValue(key[..(end + 1)], out var index))
            {
                return (index, end + 2);
            }

            start = end;
        }

        return (-1, 0);
    }

    private static bool IsEntityError(string field) => field == "@entity" || field.EndsWith(".@entity", StringComparison.Ordinal);

    /// <summary><c>config.limits[0].window</c> → <c>config.limits.1.window</c>: Kong's field paths count array positions from 1.</summary>
    private static string KongField(string field) =>
        Index().Replace(field, m => "." + (long.Parse(m.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex(@"\[(\d+)\]")]
    private static partial Regex Index();
}
