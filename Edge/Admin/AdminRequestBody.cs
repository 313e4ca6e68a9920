using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Admin;

/// <summary>
/// An admin request's body as a JSON object, from JSON or from form encoding as Kong reads it
/// (<c>name=x</c>, <c>paths[]=/a</c>, <c>paths[1]=/b</c>, <c>service.id=...</c>, repeated keys as arrays).
/// Form values are strings, so <see cref="Coerce"/> tells the schemas to accept strings for other types.
/// </summary>
internal sealed record AdminRequestBody(JsonObject Json, bool Coerce)
{
    public static async Task<(AdminRequestBody? Body, string? Error)> ReadAsync(HttpRequest request)
    {
        if (request.HasFormContentType)
        {
            var form = await AdminBody.ReadFormAsync(request);
            var pairs = form.SelectMany(f => f.Value.Select(v => (f.Key, v ?? ""))).ToList();
            if (pairs.Any(p => p.Key.Count(c => c == '.') >= AdminInputLimits.MaxDepth))
            {
                return (null, $"Cannot parse form body: key nested too deeply (more than {AdminInputLimits.MaxDepth} levels)");
            }

            return (new AdminRequestBody(FromForm(pairs), true), null);
        }

        var bytes = await AdminBody.ReadBytesAsync(request);
        if (bytes.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return (new AdminRequestBody([], false), null);
        }

        var type = request.ContentType ?? "application/json";
        if (!type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "Unsupported Content-Type");
        }

        var (node, problem) = BoundedJson.Parse(bytes);
        return node is JsonObject json
            ? (new AdminRequestBody(json, false), null)
            : (null, problem is null || problem == "invalid JSON" ? "Cannot parse JSON body" : "Cannot parse JSON body: " + problem);
    }

    public static JsonObject FromForm(IEnumerable<(string Key, string Value)> pairs)
    {
        var root = new JsonObject();
        foreach (var (key, value) in pairs)
        {
            Assign(root, key, value);
        }

        return root;
    }

    private static void Assign(JsonObject root, string key, string value)
    {
        var parts = key.Split('.');
        var target = root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (target[parts[i]] is not JsonObject child)
            {
                target[parts[i]] = child = new JsonObject();
            }

            target = child;
        }

        var last = parts[^1];
        var bracket = last.IndexOf('[', StringComparison.Ordinal);
        if (bracket > 0 && last.EndsWith(']'))
        {
            var name = last[..bracket];
            var indexText = last[(bracket + 1)..^1];
            if (target[name] is not JsonArray array)
            {
                array = target[name] is JsonValue existing ? new JsonArray(existing.DeepClone()) : new JsonArray();
                target[name] = array;
            }

            if (int.TryParse(indexText, out var index) && index >= 0 && index < 1000)
            {
                // Kong's form indexes start at 1; fill gaps so the position is kept.
                var position = Math.Max(index - 1, 0);
                while (array.Count <= position)
                {
                    array.Add(null);
                }

                array[position] = value;
            }
            else
            {
                array.Add(value);
            }

            return;
        }

        target[last] = target[last] switch
        {
            null => value,
            JsonArray array => Append(array, value),
            JsonNode existing => new JsonArray(existing.DeepClone(), value),
        };
    }

    private static JsonArray Append(JsonArray array, string value)
    {
        var copy = (JsonArray)array.DeepClone();
        copy.Add(value);
        return copy;
    }
}
