using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Observability.Logging;

/// <summary>
/// Kong's log serializer (<c>kong.log.serialize</c>) for the logging plugins: one JSON object per request with
/// <c>request</c>, <c>upstream_uri</c>, <c>response</c>, <c>route</c>, <c>service</c>, <c>consumer</c>,
/// <c>latencies</c>, <c>tries</c>, <c>client_ip</c>, <c>started_at</c>, <c>source</c>, <c>workspace</c>, and for LLM calls
/// whose <c>logging</c> asks for it, <c>ai</c> (<see cref="AiLogSection"/>). Credentials in headers and query parameters are
/// written as <c>REDACTED</c> (<see cref="CredentialRedaction"/>): a log is not a place for them.
/// </summary>
internal static class KongLogRecord
{
    /// <summary>The record as UTF-8 JSON (built on the request's thread; the queue sends it later).</summary>
    public static byte[] Serialize(ProxyContext context, long startedAtMs)
    {
        using var buffer = new PooledBufferWriter(2048);
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, context, startedAtMs);
        }

        return buffer.ToArray();
    }

    private static void Write(Utf8JsonWriter json, ProxyContext context, long startedAtMs)
    {
        var http = context.HttpContext;
        var request = http.Request;
        var response = http.Response;
        json.WriteStartObject();

        json.WriteStartObject("request");
        json.WriteString("method", request.Method);
        var query = CredentialRedaction.Query(request.QueryString, context);
        json.WriteString("uri", request.Path.ToUriComponent() + query);
        json.WriteString("url", $"{request.Scheme}://{request.Host.ToUriComponent()}{request.Path.ToUriComponent()}{query}");
        json.WriteNumber("size", context.RequestBodyBytes);
        json.WriteStartObject("querystring");
        foreach (var (name, values) in request.Query)
        {
            json.WriteString(name, CredentialRedaction.IsCredential(name, context) ? CredentialRedaction.Redacted : values.ToString());
        }

        json.WriteEndObject();
        WriteHeaders(json, request.Headers, context);
        json.WriteEndObject();

        json.WriteString("upstream_uri", context.UpstreamPath + CredentialRedaction.Query(context.UpstreamQuery ?? request.QueryString, context));

        json.WriteStartObject("response");
        json.WriteNumber("status", response.StatusCode);
        json.WriteNumber("size", context.ResponseBodyBytes);
        WriteHeaders(json, response.Headers, context);
        json.WriteEndObject();

        // A request no route matched has neither; one whose route has no service has no service (Kong omits them).
        if (context.Route?.Entity is { } route)
        {
            json.WriteStartObject("route");
            json.WriteString("id", route.Id);
            json.WriteString("name", route.Name);
            json.WriteEndObject();
        }

        var service = context.Service?.Entity;
        if (service is not null)
        {
            json.WriteStartObject("service");
            json.WriteString("id", service.Id);
            json.WriteString("name", service.Name);
            json.WriteString("host", service.Host);
            json.WriteNumber("port", service.Port);
            json.WriteString("protocol", service.Protocol);
            json.WriteString("path", service.Path);
            json.WriteEndObject();
        }

        if (context.Consumer is { } consumer)
        {
            json.WriteStartObject("consumer");
            json.WriteString("id", consumer.Id);
            json.WriteString("username", consumer.Username);
            json.WriteString("custom_id", consumer.CustomId);
            json.WriteEndObject();
        }

        json.WriteStartObject("latencies");
        json.WriteNumber("request", context.RequestLatencyMs);
        json.WriteNumber("kong", context.GatewayLatencyMs);
        json.WriteNumber("proxy", context.AnsweredByUpstream ? context.UpstreamLatencyMs : -1);
        json.WriteEndObject();

        json.WriteStartArray("tries");
        if (service is not null && (context.UpstreamHost is not null || context.AnsweredByUpstream))
        {
            json.WriteStartObject();
            json.WriteString("ip", service.Host);
            json.WriteNumber("port", service.Port);
            json.WriteNumber("balancer_latency", 0);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("client_ip", ConnectionText.Of(http).RemoteAddress);
        json.WriteNumber("started_at", startedAtMs);
        json.WriteString("source", context.AnsweredByUpstream ? "upstream" : "kong");
        json.WriteString("workspace", GatewayMetrics.Workspace);
        AiLogSection.Write(json, context.LlmCall, context.PluginLlmCalls);

        json.WriteEndObject();
    }

    private static void WriteHeaders(Utf8JsonWriter json, IHeaderDictionary headers, ProxyContext context)
    {
        json.WriteStartObject("headers");
        Span<char> lower = stackalloc char[128];
        foreach (var (name, values) in headers)
        {
            // Kong's names are lower case; most arrive so, and the others are lowered here without a new string each.
            var value = CredentialRedaction.IsCredential(name, context) ? CredentialRedaction.Redacted : values.ToString();
            if (name.Length <= lower.Length)
            {
                var written = name.AsSpan().ToLowerInvariant(lower);
                json.WriteString(lower[..written], value);
            }
            else
            {
                json.WriteString(name.ToLowerInvariant(), value);
            }
        }

        json.WriteEndObject();
    }
}
