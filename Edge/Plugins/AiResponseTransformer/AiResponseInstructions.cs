using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Net.Http.Headers;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.AiResponseTransformer;

/// <summary>
/// The LLM's answer read as Kong's <c>parse_llm_response_json_instructions</c> reads it: a JSON object
/// <c>{"status", "headers", "body"}</c> (status 200 when absent; the whole object is the body when it has none; a body
/// that is not a string is sent as JSON). The LLM read the upstream's body, which anyone may have written, so its
/// headers are checked as a trust boundary: names that are not RFC 7230 tokens and values with control characters
/// (CR, LF, NUL) are dropped, as are the names the gateway owns or that frame the message (hop-by-hop headers,
/// <c>Content-Length</c>, <c>Content-Encoding</c>, <c>Via</c>, <c>X-Turnpike-*</c>, <c>X-Consumer-*</c> and the
/// other identity headers); a value outside printable ASCII is percent-encoded.
/// </summary>
internal sealed record AiResponseInstructions(int Status, IReadOnlyList<(string Name, string Value)> Headers, byte[] Body, bool JsonBody)
{
    /// <summary>Names the LLM never sets: the message's framing, hop-by-hop headers, and what the gateway writes itself.</summary>
    private static readonly HashSet<string> NotFromLlm = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.Connection, HeaderNames.KeepAlive, HeaderNames.TransferEncoding, HeaderNames.Upgrade, HeaderNames.TE, HeaderNames.Trailer,
        "Proxy-Connection", HeaderNames.ProxyAuthenticate, HeaderNames.ContentLength, HeaderNames.ContentEncoding, HeaderNames.Via,
    };

    /// <summary>The instructions in <paramref name="text"/>, or null with Kong's reason in <paramref name="error"/>.</summary>
    public static AiResponseInstructions? Parse(string text, out string? error)
    {
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            error = ex.Message;
            return null;
        }

        if (parsed is not (JsonObject or JsonArray))
        {
            error = "input not table or string";
            return null;
        }

        var instructions = parsed as JsonObject;
        var status = 200;
        if (instructions?["status"] is { } statusNode)
        {
            if (!(statusNode is JsonValue value && value.TryGetValue<double>(out var number) && number is >= 100 and <= 599 && number == Math.Floor(number)))
            {
                error = "status must be an integer between 100 and 599";
                return null;
            }

            status = (int)number;
        }

        var headers = new List<(string, string)>();
        if (instructions?["headers"] is { } headersNode)
        {
            if (headersNode is not JsonObject byName)
            {
                error = "headers must be an object";
                return null;
            }

            foreach (var (name, values) in byName)
            {
                if (!Allowed(name))
                {
                    continue;
                }

                foreach (var value in JsonHeaderValues.Of(values))
                {
                    if (TextRules.Control(value) is null)
                    {
                        headers.Add((name, PrintableText.Escape(value)));
                    }
                }
            }
        }

        var bodyNode = instructions is null ? parsed : instructions["body"] ?? instructions;
        error = null;
        return bodyNode is JsonValue bodyValue && bodyValue.TryGetValue<string>(out var body)
            ? new AiResponseInstructions(status, headers, Encoding.UTF8.GetBytes(body), JsonBody: false)
            : new AiResponseInstructions(status, headers, Encoding.UTF8.GetBytes(bodyNode.ToJsonString()), JsonBody: true);
    }

    /// <summary>True for a name the LLM may set on the client's response.</summary>
    public static bool Allowed(string name) =>
        TextRules.HeaderName(name) is null
        && !NotFromLlm.Contains(name)
        && !name.StartsWith("X-Turnpike-", StringComparison.OrdinalIgnoreCase)
        && !UpstreamRequestHeaders.IsOwnedByGateway(name)
        && !name.StartsWith("X-Consumer-", StringComparison.OrdinalIgnoreCase)
        && !name.StartsWith("X_Consumer_", StringComparison.OrdinalIgnoreCase);
}
