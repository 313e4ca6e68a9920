using System.Diagnostics;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Consumers;
using Turnpike.Edge.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Turnpike.Edge.Proxy;

/// <summary>
/// The state of one proxied request, and the transform YARP applies to it on the way up and down.
/// One object plays both parts so that a proxied request costs one allocation of ours.
/// </summary>
internal sealed class ProxyContext(
    HttpContext httpContext, RouteMatch match, ConsumerDirectory consumers, string forwardedPath, string upstreamPath, string? strippedPrefix, long startTimestamp)
    : HttpTransformer
{
    public const string ViaValue = "1.1 turnpike";
    public const string UpstreamLatencyHeader = "X-Turnpike-Upstream-Latency";
    public const string ProxyLatencyHeader = "X-Turnpike-Proxy-Latency";

    public HttpContext HttpContext { get; } = httpContext;

    public CompiledRoute Route => match.Route;

    public CompiledService Service => match.Route.Service!;

    /// <summary>
    /// The path the upstream gets, escaped as on the wire (<see cref="RequestPath.Encoded"/>); a plugin may replace it
    /// (request-transformer's <c>replace.uri</c>, through <see cref="RequestPath.EscapeUnsafe"/>).
    /// </summary>
    public string UpstreamPath { get; set; } = upstreamPath;

    public string? CorrelationId { get; set; }

    /// <summary>The consumers and credentials of the snapshot this request was matched in.</summary>
    public ConsumerDirectory Consumers { get; } = consumers;

    /// <summary>Who the request is from, once an auth plugin has identified it (Kong's authenticated consumer).</summary>
    public ConsumerEntity? Consumer { get; private set; }

    /// <summary>The credential that identified <see cref="Consumer"/>; null for the anonymous consumer.</summary>
    public Guid? CredentialId { get; private set; }

    /// <summary>What <c>X-Credential-Identifier</c> tells the upstream: the credential's id, key or username, as each Kong plugin chooses.</summary>
    public string? CredentialIdentifier { get; private set; }

    public bool IsAnonymous { get; private set; }

    /// <summary>Request headers an auth plugin hid from the upstream (<c>hide_credentials</c>).</summary>
    public List<string>? HiddenHeaders { get; private set; }

    /// <summary>The query string the upstream gets, when a plugin changed it; the client's otherwise.</summary>
    public QueryString? UpstreamQuery { get; set; }

    public void Authenticate(ConsumerEntity consumer, Guid credentialId, string credentialIdentifier)
    {
        Consumer = consumer;
        CredentialId = credentialId;
        CredentialIdentifier = credentialIdentifier;
        IsAnonymous = false;
    }

    public void AuthenticateAnonymous(ConsumerEntity consumer)
    {
        Consumer = consumer;
        CredentialId = null;
        CredentialIdentifier = null;
        IsAnonymous = true;
    }

    public void HideHeader(string name) => (HiddenHeaders ??= []).Add(name);

    /// <summary>Headers plugins add to the upstream request (e.g. <c>X-Consumer-Groups</c>), set after the consumer headers.</summary>
    public List<(string Name, string Value)>? UpstreamHeaders { get; private set; }

    public void SetUpstreamHeader(string name, string value) => (UpstreamHeaders ??= []).Add((name, value));

    /// <summary>Headers plugins give the client (e.g. rate-limit counts), set over the upstream's own.</summary>
    public List<(string Name, string Value)>? ResponseHeaders { get; private set; }

    public void SetResponseHeader(string name, string value) => (ResponseHeaders ??= []).Add((name, value));

    /// <summary>Puts <see cref="ResponseHeaders"/> on the response; the proxy does it once the upstream answered, a plugin that answers itself first.</summary>
    public void ApplyResponseHeaders()
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
    /// </summary>
    public void BufferResponseBody()
    {
        if (ResponseBuffer is null)
        {
            _clientResponseBody = HttpContext.Response.Body;
            ResponseBuffer = new MemoryStream();
            HttpContext.Response.Body = ResponseBuffer;
        }
    }

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

    public long StartTimestamp { get; } = startTimestamp;

    /// <summary>From forwarding until the upstream's response headers arrived; 0 when the request never reached it.</summary>
    public long UpstreamLatencyMs { get; private set; }

    /// <summary>Counters a plugin adds to this request's meters beyond the fixed ones (AI tokens, say).</summary>
    public List<(string Name, long Value)>? MeterCounters { get; private set; }

    public void AddMeterCounter(string name, long value) => (MeterCounters ??= []).Add((name, value));

    /// <summary>Counts the response body when the upstream did not say its length (chunked); otherwise Content-Length does.</summary>
    public Metering.ByteCountingStream? ResponseBodyCounter { get; private set; }

    public long ForwardTimestamp { get; set; }

    /// <summary>The Host for the chosen target when it is not the destination's address (Kong's target host name or host_header).</summary>
    public string? UpstreamHost { get; set; }

    /// <summary>Set by a plugin that talks to the upstream itself (ai-proxy): the proxy hands the request to it instead of forwarding.</summary>
    public IUpstreamExchange? Exchange { get; set; }

    /// <summary>The LLM request the AI plugins share, parsed once by the first of them that reads it.</summary>
    public Ai.AiRequest? Ai { get; set; }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var request = httpContext.Request;
        proxyRequest.RequestUri = UpstreamUri(destinationPrefix, UpstreamPath, (UpstreamQuery ?? request.QueryString).Value);
        // The upstream sees the client's Host only with preserve_host; otherwise the service's host and port, or for
        // an upstream's target its name (or the upstream's host_header), as Kong sends them.
        proxyRequest.Headers.Host = Route.Entity.PreserveHost ? request.Host.Value : UpstreamHost;

        // Kong trusts no client-sent X-Forwarded-* by default: it appends to X-Forwarded-For and sets the rest. Every
        // value goes through UpstreamRequestHeaders.Safe: the path and host are the client's text.
        var headers = proxyRequest.Headers;
        var connection = ConnectionText.Of(httpContext);
        var remote = connection.RemoteAddress;
        var forwardedFor = request.Headers["X-Forwarded-For"].ToString();
        UpstreamRequestHeaders.Set(headers, "X-Forwarded-For", forwardedFor.Length == 0 ? remote : forwardedFor + ", " + remote);
        UpstreamRequestHeaders.Set(headers, "X-Forwarded-Proto", request.Scheme);
        UpstreamRequestHeaders.Set(headers, "X-Forwarded-Host", request.Host.Host);
        UpstreamRequestHeaders.Set(headers, "X-Forwarded-Port", connection.LocalPort); // the port the client connected to, as Kong sends it
        UpstreamRequestHeaders.Set(headers, "X-Forwarded-Path", forwardedPath);
        UpstreamRequestHeaders.SetOrRemove(headers, "X-Forwarded-Prefix", strippedPrefix is { Length: > 1 } ? strippedPrefix : null);
        UpstreamRequestHeaders.Set(headers, "X-Real-IP", remote);
        var via = request.Headers.Via.ToString();
        UpstreamRequestHeaders.Set(headers, "Via", via.Length == 0 ? ViaValue : via + ", " + ViaValue);
        if (Consumer is { } consumer)
        {
            // The headers Kong's auth plugins give the upstream; absent fields are removed.
            UpstreamRequestHeaders.Set(headers, "X-Consumer-ID", consumer.Id.ToString());
            UpstreamRequestHeaders.SetOrRemove(headers, "X-Consumer-Username", consumer.Username);
            UpstreamRequestHeaders.SetOrRemove(headers, "X-Consumer-Custom-ID", consumer.CustomId);
            UpstreamRequestHeaders.SetOrRemove(headers, "X-Credential-Identifier", CredentialIdentifier);
            UpstreamRequestHeaders.SetOrRemove(headers, "X-Anonymous-Consumer", IsAnonymous ? "true" : null);
        }

        foreach (var hidden in HiddenHeaders ?? [])
        {
            headers.Remove(hidden);
        }

        foreach (var (name, value) in UpstreamHeaders ?? [])
        {
            Proxy.UpstreamRequestHeaders.Set(headers, name, value);
        }

        ForwardTimestamp = Stopwatch.GetTimestamp();
    }

    /// <summary>The upstream's URI from the destination, the escaped path and the raw query: nothing is escaped twice.</summary>
    public static Uri UpstreamUri(string destinationPrefix, string escapedPath, string? query)
    {
        var prefix = destinationPrefix.EndsWith('/') ? destinationPrefix.AsSpan(0, destinationPrefix.Length - 1) : destinationPrefix;
        return new Uri(string.Concat(prefix, escapedPath, query), UriKind.Absolute);
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

        OnUpstreamResponseHeaders();
        return proceed;
    }

    /// <summary>Counts what is written to the response body from now on (for metering, when no Content-Length says it).</summary>
    public void CountResponseBody()
    {
        ResponseBodyCounter = new Metering.ByteCountingStream(HttpContext.Response.Body);
        HttpContext.Response.Body = ResponseBodyCounter;
    }

    /// <summary>
    /// The upstream's status and headers are in place: adds the gateway's own headers and runs the plugins'
    /// response-header phase. YARP's transform calls it, and so does an <see cref="IUpstreamExchange"/>.
    /// </summary>
    public void OnUpstreamResponseHeaders()
    {
        var headers = HttpContext.Response.Headers;
        var via = headers.Via.ToString();
        headers.Via = via.Length == 0 ? ViaValue : via + ", " + ViaValue;
        var now = Stopwatch.GetTimestamp();
        UpstreamLatencyMs = (long)Stopwatch.GetElapsedTime(ForwardTimestamp, now).TotalMilliseconds;
        headers[UpstreamLatencyHeader] = Milliseconds(now - ForwardTimestamp);
        headers[ProxyLatencyHeader] = Milliseconds(ForwardTimestamp - StartTimestamp);
        ApplyResponseHeaders();
        foreach (var slot in Route.Plugins.Slots)
        {
            slot.For(Consumer)?.OnResponseHeaders(this);
        }
    }

    private static string Milliseconds(long ticks)
    {
        var ms = (long)Stopwatch.GetElapsedTime(0, ticks).TotalMilliseconds;
        return ms >= 0 && ms < SmallNumbers.Length ? SmallNumbers[ms] : ms.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>"0" … "999": latencies are almost always below a second, and need no new string each time.</summary>
    private static readonly string[] SmallNumbers = [.. Enumerable.Range(0, 1000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}
