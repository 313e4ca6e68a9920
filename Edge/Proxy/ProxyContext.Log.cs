using System.Diagnostics;

namespace Turnpike.Edge.Proxy;

/// <summary>What the log phase (phase 7) reads of a finished request: sizes, latencies, who answered, the LLM call.</summary>
internal sealed partial class ProxyContext
{
    /// <summary>Request body bytes received: counted as they passed, else as Content-Length said.</summary>
    public long RequestBodyBytes => RequestBodyCounter?.Count ?? HttpContext.Request.ContentLength ?? 0;

    /// <summary>Response body bytes sent: as Content-Length said, else counted as they passed.</summary>
    public long ResponseBodyBytes => HttpContext.Response.ContentLength ?? ResponseBodyCounter?.Count ?? 0;

    /// <summary>
    /// True when the status came from the upstream, or the exchange in its place (Kong's <c>source</c> "service");
    /// false when the gateway, a plugin or a cache answered.
    /// </summary>
    public bool AnsweredByUpstream => _upstreamAnsweredAt != 0 && AnsweredBy is AnsweredBy.Upstream or AnsweredBy.Exchange;

    /// <summary>Kong's <c>latencies.request</c>: from the first byte read to now (the log phase), in ms.</summary>
    public long RequestLatencyMs => (long)Stopwatch.GetElapsedTime(StartTimestamp).TotalMilliseconds;

    /// <summary>Kong's <c>latencies.kong</c>: the gateway's own time before forwarding (all of it when nothing was forwarded), in ms.</summary>
    public long GatewayLatencyMs => (long)Stopwatch.GetElapsedTime(StartTimestamp, ForwardTimestamp != 0 ? ForwardTimestamp : Stopwatch.GetTimestamp()).TotalMilliseconds;

    /// <summary>The request's trace when the route has the opentelemetry plugin and the request is sampled.</summary>
    public Plugins.OpenTelemetry.RequestTrace? Trace { get; set; }

    /// <summary>The destination (scheme, address, port) the request was last forwarded to; null when it was not.</summary>
    public string? UpstreamDestination { get; set; }

    /// <summary>The LLM call ai-proxy made for this request, once it is over; null when there was none.</summary>
    public Ai.LlmCallRecord? LlmCall { get; set; }

    /// <summary>The LLM calls other plugins made for their own purpose (the AI transformers), for the log's <c>ai</c> section.</summary>
    public List<Ai.LlmCallRecord>? PluginLlmCalls { get; private set; }

    public void AddPluginLlmCall(Ai.LlmCallRecord call) => (PluginLlmCalls ??= []).Add(call);

    /// <summary>Header or query parameter names a plugin read a credential from: logs and traces redact their values (<see cref="Observability.Logging.CredentialRedaction"/>).</summary>
    private List<string>? _credentialNames;

    public void MarkCredentialName(string name)
    {
        // The usual names (apikey, authorization: the plugins' defaults) are redacted anyway: no list for them per request.
        if (!Observability.Logging.CredentialRedaction.IsUsualName(name) && !IsCredentialName(name))
        {
            (_credentialNames ??= []).Add(name);
        }
    }

    public bool IsCredentialName(string name) => _credentialNames?.Exists(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) == true;
}
