using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Turnpike.Edge.Plugins.RequestTransformer;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.ResponseTransformer;

/// <summary>
/// Header operations apply as the response headers arrive; JSON operations apply to the whole body once it
/// is in, and only to an uncompressed JSON object (anything else is sent as it came).
/// </summary>
internal sealed class ResponseTransformerHandler(PartOperations headers, PartOperations json, Dictionary<string, string> jsonTypes) : IPluginHandler
{
    public ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        if (!json.IsEmpty)
        {
            context.BufferResponseBody();
        }

        return ValueTask.FromResult(true);
    }

    public void OnResponseHeaders(ProxyContext context)
    {
        if (!headers.IsEmpty)
        {
            headers.ApplyTo(context.HttpContext.Response.Headers);
        }
    }

    public ValueTask OnResponseBodyAsync(ProxyContext context)
    {
        var response = context.HttpContext.Response;
        if (json.IsEmpty || context.ResponseBuffer is not { } buffer
            || response.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true
            || response.Headers.ContentEncoding.Count > 0)
        {
            return ValueTask.CompletedTask;
        }

        try
        {
            if (JsonNode.Parse(buffer.ToArray()) is JsonObject body)
            {
                json.ApplyTo(body);
                foreach (var (field, type) in jsonTypes)
                {
                    if (body[field] is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        body[field] = Typed(text, type);
                    }
                }

                context.ReplaceResponseBody(Encoding.UTF8.GetBytes(body.ToJsonString()));
            }
        }
        catch (JsonException)
        {
            // Not JSON after all: sent as it came.
        }

        return ValueTask.CompletedTask;
    }

    private static JsonNode? Typed(string text, string type) => type switch
    {
        "boolean" when bool.TryParse(text, out var flag) => flag,
        "number" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => number,
        _ => text,
    };
}
