using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Proxy;

/// <summary>The response: the headers phase every answer goes through once, and a body held for plugins that rewrite it.</summary>
internal sealed partial class ProxyContext
{
    public const string UpstreamLatencyHeader = "X-Turnpike-Upstream-Latency";
    public const string ProxyLatencyHeader = "X-Turnpike-Proxy-Latency";

    /// <summary>Registered once per request with <c>HttpResponse.OnStarting</c>: no closure, the context is the state.</summary>
    public static readonly Func<object, Task> ResponseStarting = static state =>
    {
        ((ProxyContext)state).OnResponseStarting();
        return Task.CompletedTask;
    };

    private long _upstreamAnsweredAt;

    /// <summary>Headers plugins give the client (e.g. rate-limit counts), set over the upstream's own.</summary>
    public List<(string Name, string Value)>? ResponseHeaders { get; private set; }

    public void SetResponseHeader(string name, string value) => (ResponseHeaders ??= new(capacity: 8)).Add((name, value)); // rate-limiting alone sets five

    /// <summary>Puts <see cref="ResponseHeaders"/> on the response (in the headers phase).</summary>
    private void ApplyResponseHeaders()
    {
        if (ResponseHeaders is { } added)
        {
            var headers = HttpContext.Response.Headers;
            foreach (var (name, value) in added)
            {
                if (string.Equals(name, "Set-Cookie", StringComparison.OrdinalIgnoreCase))
                {
                    headers.Append(name, value); // beside the upstream's own cookies
                }
                else
                {
                    headers[name] = value;
                }
            }
        }
    }

    /// <summary>The response body as the upstream sent it, when a plugin asked for it whole; null while streaming.</summary>
    public MemoryStream? ResponseBuffer { get; private set; }

    private Stream? _clientResponseBody;

    /// <summary>
    /// Collects the upstream's response body instead of streaming it, so a plugin can rewrite it in
    /// <see cref="Plugins.IPluginHandler.OnResponseBodyAsync"/>; <see cref="SendResponseBodyAsync"/> sends it.
    /// A plugin that sets <paramref name="maxBytes"/> (0: no limit) gets at most that much: a larger body stops the
    /// copy, and the plugins find <see cref="ResponseBodyTooLarge"/> set in their body phase.
    /// </summary>
    public void BufferResponseBody(int maxBytes = 0)
    {
        if (ResponseBuffer is null)
        {
            _clientResponseBody = HttpContext.Response.Body;
            ResponseBuffer = new ResponseBodyBuffer();
            HttpContext.Response.Body = ResponseBuffer;
        }

        (ResponseBuffer as ResponseBodyBuffer)?.LimitTo(maxBytes);
    }

    /// <summary>True when the upstream's body was larger than a plugin's <see cref="BufferResponseBody"/> limit: what is held is only its start.</summary>
    public bool ResponseBodyTooLarge => ResponseBuffer is ResponseBodyBuffer { Overflowed: true };

    /// <summary>Replaces the buffered body with a rewritten one (plugins after this one see the rewrite).</summary>
    public void ReplaceResponseBody(byte[] body) => ResponseBuffer = new MemoryStream(body);

    /// <summary>Sends the (possibly rewritten) buffered body to the client.</summary>
    public async Task SendResponseBodyAsync()
    {
        var client = RestoreResponseBody();
        var body = ResponseBuffer!.ToArray();
        HttpContext.Response.ContentLength = body.Length;
        await client.WriteAsync(body, HttpContext.RequestAborted);
    }

    /// <summary>Puts the client's response stream back (e.g. to answer an upstream error instead).</summary>
    public Stream RestoreResponseBody()
    {
        var client = _clientResponseBody ?? HttpContext.Response.Body;
        HttpContext.Response.Body = client;
        _clientResponseBody = null;
        return client;
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (proxyResponse is null)
        {
            return proceed;
        }

        if (httpContext.Response.ContentLength is null)
        {
            // Installed before YARP copies the body, which it writes to Response.Body as it finds it now.
            CountResponseBody();
        }

        MarkUpstreamAnswered();
        return proceed;
    }

    /// <summary>
    /// Counts what is written to the client from now on (for the log phase, when no Content-Length says it), in front
    /// of the server's body feature (<see cref="Metering.CountedResponseBody"/>). Once per request; a body a plugin
    /// holds is sent with its length declared, so it needs no counting.
    /// </summary>
    internal void CountResponseBody()
    {
        if (ResponseBodyCounter is not null || _clientResponseBody is not null)
        {
            return; // counted once; a held body goes out with its Content-Length, which the log phase reads first
        }

        ResponseBodyCounter = Metering.CountedResponseBody.Install(HttpContext.Features);
    }

    /// <summary>
    /// The upstream's status and headers arrived (from the forwarder, or an exchange such as ai-proxy): the upstream
    /// latency is measured now, and the headers phase will add the gateway's latency headers and <c>Via</c>.
    /// </summary>
    internal void MarkUpstreamAnswered()
    {
        _upstreamAnsweredAt = Stopwatch.GetTimestamp();
        UpstreamLatencyMs = (long)Stopwatch.GetElapsedTime(ForwardTimestamp, _upstreamAnsweredAt).TotalMilliseconds;
    }

    /// <summary>
    /// Phase 5, the response's headers, run once by Kestrel just before they go out — so every way of answering
    /// (forwarded, a plugin's answer, an exchange, a gateway error) passes through it and none can skip it: the
    /// gateway's own headers when the upstream answered, the headers plugins asked for, then the plugins' phase.
    /// </summary>
    private void OnResponseStarting()
    {
        var headers = HttpContext.Response.Headers;
        if (_upstreamAnsweredAt != 0)
        {
            var via = headers.Via.ToString();
            headers.Via = via.Length == 0 ? ViaValue : via + ", " + ViaValue;
            headers[UpstreamLatencyHeader] = Milliseconds(_upstreamAnsweredAt - ForwardTimestamp);
            headers[ProxyLatencyHeader] = Milliseconds(ForwardTimestamp - StartTimestamp);
        }

        ApplyResponseHeaders();
        foreach (var slot in Plugins.Slots)
        {
            slot.For(Consumer)?.OnResponseHeaders(this);
        }
    }

    private static string Milliseconds(long ticks) => NumberText.Of((long)Stopwatch.GetElapsedTime(0, ticks).TotalMilliseconds);
}
