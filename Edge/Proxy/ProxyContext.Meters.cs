namespace Turnpike.Edge.Proxy;

/// <summary>What the request is metered with, and the AI request the AI plugins share.</summary>
internal sealed partial class ProxyContext
{
    /// <summary>From forwarding until the upstream's response headers arrived; 0 when the request never reached it.</summary>
    public long UpstreamLatencyMs { get; private set; }

    /// <summary>Counters a plugin adds to this request's meters beyond the fixed ones (AI tokens, say).</summary>
    public List<(string Name, long Value)>? MeterCounters { get; private set; }

    public void AddMeterCounter(string name, long value) => (MeterCounters ??= []).Add((name, value));

    /// <summary>True when a plugin answered the request itself (metered as rejected).</summary>
    public bool AnsweredByPlugin { get; set; }

    /// <summary>Counts the request body when the client did not say its length (chunked, HTTP/2 streams); otherwise Content-Length does.</summary>
    public Metering.ByteCountingStream? RequestBodyCounter { get; set; }

    /// <summary>Counts the response body when the upstream did not say its length (chunked); otherwise Content-Length does.</summary>
    public Metering.CountedResponseBody? ResponseBodyCounter { get; private set; }

    /// <summary>The LLM request the AI plugins share, parsed once by the first of them that reads it.</summary>
    public Ai.AiRequest? Ai { get; set; }
}
