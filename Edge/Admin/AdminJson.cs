using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Admin;

/// <summary>Writes admin API responses: JSON bodies, and errors in Kong's shape with field paths expanded into nested JSON.</summary>
internal static partial class AdminJson
{
    public const string VersionHeader = "X-Turnpike-Config-Version";

    private static readonly JsonSerializerOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(HttpContext context, int status, JsonNode? body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(context.Response.Body, WriterOptions);
        if (body is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            body.WriteTo(writer, Options);
        }

        await writer.FlushAsync();
    }

    public static Task MessageAsync(HttpContext context, int status, string message) =>
        WriteAsync(context, status, new JsonObject { ["message"] = message });

    public static Task NotFoundAsync(HttpContext context) => MessageAsync(context, StatusCodes.Status404NotFound, "Not found");

    public static Task ErrorAsync(HttpContext context, AdminError error)
    {
        if (error.Code == AdminError.NotFoundCode)
        {
            return NotFoundAsync(context);
        }

        var body = new JsonObject { ["code"] = error.Code, ["name"] = error.Name, ["message"] = error.Message };
        if (error.Fields is { Count: > 0 } fields)
        {
            body["fields"] = ExpandFields(fields);
        }

        return WriteAsync(context, error.HttpStatus, body);
    }

    /// <summary>Turns <c>{"services[0].routes[1].paths[0]": "msg"}</c> into nested objects and arrays, as Kong reports field errors.</summary>
    public static JsonObject ExpandFields(IReadOnlyDictionary<string, string> fields)
    {
        var root = new JsonObject();
        foreach (var (path, message) in fields.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var segments = PathSegment().Matches(path).Select(m => m.Value).ToList();
            JsonNode current = root;
            for (var i = 0; i < segments.Count; i++)
            {
                var last = i == segments.Count - 1;
                var next = last ? null : segments[i + 1];
                JsonNode Create() => last
                    ? (segments[i] == "@entity" ? new JsonArray(message) : JsonValue.Create(message))!
                    : next!.StartsWith('[') ? new JsonArray() : new JsonObject();
                if (segments[i].StartsWith('['))
                {
                    var array = (JsonArray)current;
                    var index = int.Parse(segments[i].AsSpan(1, segments[i].Length - 2), System.Globalization.CultureInfo.InvariantCulture);
                    while (array.Count <= index)
                    {
                        array.Add(null);
                    }

                    current = array[index] ??= Create();
                }
                else
                {
                    var obj = (JsonObject)current;
                    if (obj[segments[i]] is not { } child || (last && child is not JsonArray))
                    {
                        obj[segments[i]] = child = Create();
                    }
                    else if (last && child is JsonArray messages)
                    {
                        messages.Add(message);
                    }

                    current = child;
                }

                if (current is JsonValue)
                {
                    break;
                }
            }
        }

        return root;
    }

    [GeneratedRegex(@"\[\d+\]|[^.\[\]]+")]
    private static partial Regex PathSegment();
}
