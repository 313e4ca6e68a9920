namespace Turnpike.Edge.Proxy;

/// <summary>What the request is metered with, and the AI request the AI plugins share.</summary>
internal sealed partial class ProxyContext
{
    /// <summary>From forwarding until the upstream's response headers arrived; 0 when the request never reached it.</summary>
    public long UpstreamLatencyMs { get; private set; }

    /// <summary>Counters a plugin adds to this request's meters beyond the fixed ones (AI tokens, say).</summary>
    public List<(string Name, long Value)>? MeterCounters { get; private set; }

    public void AddMeterCounter(string name, long value) => (MeterCounters ??= []).Add((name, value));

    /// <summary>Who answered the request (<see cref="Proxy.AnsweredBy"/>); metering bills by it.</summary>
    public AnsweredBy AnsweredBy { get; set; }

    /// <summary>A cache plugin answers this request from its store: billed as served, not as a rejection.</summary>
    public void AnswerFromCache() => AnsweredBy = AnsweredBy.Cache;

    /// <summary>Counts the request body when the client did not say its length (chunked, HTTP/2 streams); otherwise Content-Length does.</summary>
    public Metering.ByteCountingStream? RequestBodyCounter { get; private set; }

    /// <summary>
    /// Counts the request body as it is read, when the client did not say its length (chunked HTTP/1.1, HTTP/2 streams
    /// such as gRPC calls); called before the access phase by whoever needs the exact size (metering).
    /// </summary>
    public void CountRequestBody()
    {
        var request = HttpContext.Request;
        if (RequestBodyCounter is null && request.ContentLength is null
            && HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>() is { CanHaveBody: true })
        {
            request.Body = RequestBodyCounter = new Metering.ByteCountingStream(request.Body);
        }
    }

    /// <summary>Counts the response body when the upstream did not say its length (chunked); otherwise Content-Length does.</summary>
    public Metering.CountedResponseBody? ResponseBodyCounter { get; private set; }

    /// <summary>The LLM request the AI plugins share, parsed once by the first of them that reads it.</summary>
    public Ai.AiRequest? Ai { get; set; }
}
