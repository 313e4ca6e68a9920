using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.AiPromptTemplate;

/// <summary>
/// Renders the template a request names: each <c>{{name}}</c> becomes the property's value JSON-escaped (so a
/// value cannot break out of the template's JSON), and the result is the request's new body. Errors are Kong's, 400.
/// </summary>
internal sealed partial class AiPromptTemplateHandler(IReadOnlyDictionary<string, string> templates, bool allowUntemplated, int maxBodyBytes) : IPluginHandler
{
    private const string Prefix = "{template://";

    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        if (await AiRequest.ReadAsync(context, maxBodyBytes) is not { } ai)
        {
            return false;
        }

        var (body, error) = Render(ai.Body);
        if (error is not null)
        {
            await AiErrors.WriteAsync(context.HttpContext, StatusCodes.Status400BadRequest, error);
            return false;
        }

        if (body is not null)
        {
            ai.Replace(context.HttpContext, body);
        }

        return true;
    }

    /// <summary>The rendered body (null when the request names no template and may go as it is), or an error.</summary>
    private (JsonObject? Body, string? Error) Render(JsonObject request)
    {
        var messages = request["messages"];
        var prompt = request["prompt"];
        if (messages is not null && prompt is not null)
        {
            return (null, "cannot run 'messages' and 'prompt' templates at the same time");
        }

        if ((messages ?? prompt) is not { } reference)
        {
            return (null, "only 'llm/v1/chat' and 'llm/v1/completions' formats are supported for templating");
        }

        if (AiJson.String(reference) is not { } text || !text.StartsWith(Prefix, StringComparison.Ordinal) || !text.EndsWith('}'))
        {
            return allowUntemplated ? (null, null) : (null, "this LLM route only supports templated requests");
        }

        var name = text[Prefix.Length..^1];
        if (!templates.TryGetValue(name, out var template))
        {
            return (null, $"could not find template name [{name}]");
        }

        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request["properties"] is { } given)
        {
            if (given is not JsonObject values)
            {
                return (null, "properties must be an object");
            }

            foreach (var (key, value) in values)
            {
                if (AiJson.String(value) is not { } s)
                {
                    return (null, $"property values must be a string, got {Kind(value)}");
                }

                properties[key] = JsonSerializer.Serialize(s)[1..^1]; // escaped as inside a JSON string, without the quotes
            }
        }

        var missing = new List<string>();
        var rendered = Variable().Replace(template, m =>
        {
            if (properties.TryGetValue(m.Groups[1].Value, out var value))
            {
                return value;
            }

            if (!missing.Contains(m.Groups[1].Value))
            {
                missing.Add(m.Groups[1].Value);
            }

            return m.Value;
        });
        if (missing.Count > 0)
        {
            return (null, "missing template parameters: " + string.Join(", ", missing.Select(m => $"[{m}]")));
        }

        try
        {
            return JsonNode.Parse(rendered) is JsonObject body ? (body, null) : (null, $"template [{name}] did not render a JSON object");
        }
        catch (JsonException)
        {
            return (null, $"template [{name}] did not render valid JSON");
        }
    }

    private static string Kind(JsonNode? value) => value switch
    {
        null => "nil",
        JsonObject or JsonArray => "table",
        JsonValue v when v.GetValueKind() is JsonValueKind.Number => "number",
        _ => "boolean",
    };

    [GeneratedRegex(@"\{\{([A-Za-z0-9_]+)\}\}")]
    private static partial Regex Variable();
}
