using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Turnpike.Edge.Proxy;
using Yarp.ReverseProxy.Forwarder;

namespace Turnpike.Edge.Plugins.ProxyCache;

/// <summary>
/// Kong's proxy-cache on the request path. Access: a request that may be cached gets its key (<see cref="ProxyCacheKey"/>);
/// a fresh entry answers it (<c>X-Cache-Status: Hit</c>, with <c>Age</c>), otherwise it goes on as a <c>Miss</c> (or
/// <c>Refresh</c> when the entry was stale) with its body copied on the way to the client. Response headers: a response
/// the configuration does not cache turns it into a <c>Bypass</c>. Log: a complete cacheable response is stored.
/// Runs after the auth and rate-limiting plugins (priority 100), so a hit is authenticated and counted like any request.
/// </summary>
internal sealed class ProxyCacheHandler(ProxyCacheConfig config, Guid instanceId, ProxyCacheStore store, MissCollapsing collapsing, TimeSpan collapseWait, TimeProvider time) : IPluginHandler
{
    public const string StatusHeader = "X-Cache-Status";
    public const string KeyHeader = "X-Cache-Key";

    /// <summary>Headers a stored copy never keeps: hop-by-hop ones, per-answer ones the gateway writes, and cookies (one client's session must not be replayed to others).</summary>
    private static readonly HashSet<string> NotStored = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.Connection, HeaderNames.KeepAlive, HeaderNames.TransferEncoding, HeaderNames.Upgrade, HeaderNames.ProxyAuthenticate,
        "Proxy-Connection", HeaderNames.TE, HeaderNames.Trailer, HeaderNames.ContentLength, HeaderNames.Date, HeaderNames.Age, HeaderNames.Via,
        HeaderNames.SetCookie, StatusHeader, KeyHeader, ProxyContext.UpstreamLatencyHeader, ProxyContext.ProxyLatencyHeader,
    };

    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        var http = context.HttpContext;
        var request = http.Request;
        if (!Cacheable(request))
        {
            SetStatus(context, "Bypass");
            return true;
        }

        var path = request.Path.Value ?? "/";
        var key = ProxyCacheKey.Build(
            context.Consumer?.Id, context.Route?.Entity.Id ?? Guid.Empty, request.Method, config.IgnoreUriCase ? path.ToLowerInvariant() : path,
            request.Query, request.Headers, config.VaryQueryParams, config.VaryHeaders);
        if (config.CacheKeyHeader)
        {
            context.SetResponseHeader(KeyHeader, key);
        }

        var requestCacheControl = config.CacheControl ? CacheControl.Parse(request.Headers.CacheControl) : default;
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var status = "Miss";
        if (store.Get(key, now) is { } entry)
        {
            if (Fresh(entry, requestCacheControl, now))
            {
                await AnswerAsync(context, entry, now);
                return false;
            }

            status = "Refresh";
        }

        var leader = true;
        if (config.RequestCollapsing && collapsing.JoinOrLead(key) is { } inFlight)
        {
            leader = false;
            CachedResponse? stored = null;
            try
            {
                stored = await inFlight.WaitAsync(collapseWait, http.RequestAborted);
            }
            catch (TimeoutException)
            {
                // The leader is slow: this request goes to the upstream itself.
            }

            now = time.GetUtcNow().ToUnixTimeSeconds();
            if (stored is not null && Fresh(stored, requestCacheControl, now))
            {
                await AnswerAsync(context, stored, now);
                return false;
            }
        }

        SetStatus(context, status);
        var capture = new CaptureStream(http.Response.Body, store.MaxEntrySize);
        http.Response.Body = capture;
        http.Items[this] = new Miss(key, capture, leader);
        return true;
    }

    public void OnResponseHeaders(ProxyContext context)
    {
        var http = context.HttpContext;
        if (http.Items[this] is not Miss miss)
        {
            return;
        }

        var response = http.Response;
        if (Ttl(response) is not { } ttl || response.ContentLength > store.MaxEntrySize)
        {
            miss.Capture.Stop();
            if (config.CacheStatusHeader)
            {
                response.Headers[StatusHeader] = "Bypass";
            }

            return;
        }

        // The plugins' own headers (rate-limit counts...) belong to this answer only.
        var ownHeaders = context.ResponseHeaders;
        miss.Headers = [.. response.Headers
            .Where(h => !NotStored.Contains(h.Key) && (ownHeaders is null || !ownHeaders.Exists(o => string.Equals(o.Name, h.Key, StringComparison.OrdinalIgnoreCase))))
            .Select(h => (h.Key, h.Value.Select(v => v ?? "").ToArray()))];
        miss.Status = response.StatusCode;
        miss.Ttl = ttl;
    }

    public void OnLog(ProxyContext context)
    {
        var http = context.HttpContext;
        if (http.Items[this] is not Miss miss)
        {
            return;
        }

        http.Items.Remove(this);
        CachedResponse? stored = null;
        if (miss.Headers is { } headers && miss.Capture.Copy is { } body && Complete(http, body.Length))
        {
            var now = time.GetUtcNow().ToUnixTimeSeconds();
            var entry = new CachedResponse(miss.Key, instanceId, config.DictionaryName, miss.Status, headers, body.ToArray(), now, miss.Ttl, Math.Max(miss.Ttl, config.StorageTtl ?? miss.Ttl));
            stored = store.Set(entry) ? entry : null;
        }

        if (miss.Leader && config.RequestCollapsing)
        {
            collapsing.Complete(miss.Key, stored);
        }
    }

    /// <summary>Kong's cacheable request: a configured method, and with <c>cache_control</c> no <c>no-store</c>/<c>no-cache</c> and no credentials.</summary>
    private bool Cacheable(HttpRequest request)
    {
        if (Array.IndexOf(config.RequestMethods, request.Method) < 0 || Grpc.GrpcRequest.Is(request))
        {
            return false;
        }

        if (config.CacheControl)
        {
            var cc = CacheControl.Parse(request.Headers.CacheControl);
            if (cc.NoStore || cc.NoCache || request.Headers.ContainsKey(HeaderNames.Authorization))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>How long the response is fresh, or null when it may not be cached (status, content type, or its own Cache-Control).</summary>
    private long? Ttl(HttpResponse response)
    {
        if (Array.IndexOf(config.ResponseCodes, response.StatusCode) < 0 || !ContentTypeAllowed(response.ContentType))
        {
            return null;
        }

        if (!config.CacheControl)
        {
            return config.CacheTtl;
        }

        var cc = CacheControl.Parse(response.Headers.CacheControl);
        if (cc.Private || cc.NoStore || cc.NoCache)
        {
            return null;
        }

        long? ttl = cc.SharedMaxAge ?? cc.MaxAge;
        if (ttl is null && DateTimeOffset.TryParse(response.Headers.Expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expires))
        {
            ttl = expires.ToUnixTimeSeconds() - time.GetUtcNow().ToUnixTimeSeconds();
        }

        return ttl is > 0 ? ttl : null;
    }

    /// <summary>The configured content types, exactly or by type/subtype (parameters aside, <c>*</c> for any part).</summary>
    private bool ContentTypeAllowed(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var actual))
        {
            return false;
        }

        foreach (var allowed in config.ContentTypes)
        {
            if (string.Equals(allowed, contentType, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (MediaTypeHeaderValue.TryParse(allowed, out var wanted) && wanted.Parameters.Count == 0
                && (wanted.Type == "*" || wanted.Type.Equals(actual.Type, StringComparison.OrdinalIgnoreCase))
                && (wanted.SubType == "*" || wanted.SubType.Equals(actual.SubType, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Kong's freshness: within its TTL; with <c>cache_control</c>, the request's max-age, min-fresh and max-stale as well.</summary>
    private bool Fresh(CachedResponse entry, CacheControl request, long now)
    {
        var age = entry.Age(now);
        if (!config.CacheControl)
        {
            return age <= entry.Ttl;
        }

        if (request.MaxAge is { } maxAge && age > maxAge)
        {
            return false;
        }

        if (request.MinFresh is { } minFresh && entry.Ttl - age < minFresh)
        {
            return false;
        }

        return age <= entry.Ttl || (request.MaxStale is { } maxStale && age - entry.Ttl <= maxStale);
    }

    /// <summary>A hit: the stored status, headers and body, with <c>Age</c> and <c>X-Cache-Status: Hit</c>.</summary>
    private async Task AnswerAsync(ProxyContext context, CachedResponse entry, long now)
    {
        context.AnswerFromCache(); // a hit is served (and billed) as the upstream's answer would have been, not rejected
        var response = context.HttpContext.Response;
        response.StatusCode = entry.Status;
        foreach (var (name, values) in entry.Headers)
        {
            response.Headers[name] = values;
        }

        if (config.AgeHeader)
        {
            response.Headers.Age = entry.Age(now).ToString(CultureInfo.InvariantCulture);
        }

        SetStatus(context, "Hit");
        response.ContentLength = entry.Body.Length;
        if (!HttpMethods.IsHead(context.HttpContext.Request.Method))
        {
            await response.Body.WriteAsync(entry.Body, context.HttpContext.RequestAborted);
        }
    }

    private void SetStatus(ProxyContext context, string status)
    {
        if (config.CacheStatusHeader)
        {
            context.SetResponseHeader(StatusHeader, status);
        }
    }

    /// <summary>The whole body reached the client as the upstream sent it: no forwarding error, no abort, the declared length.</summary>
    private static bool Complete(HttpContext http, long captured) =>
        http.Features.Get<IForwarderErrorFeature>() is null
        && !http.RequestAborted.IsCancellationRequested
        && (http.Response.ContentLength is not { } declared || declared == captured || HttpMethods.IsHead(http.Request.Method));

    /// <summary>One miss on its way: its key, the body being copied, and what the headers phase decided.</summary>
    private sealed class Miss(string key, CaptureStream capture, bool leader)
    {
        public string Key { get; } = key;

        public CaptureStream Capture { get; } = capture;

        public bool Leader { get; } = leader;

        public (string Name, string[] Values)[]? Headers { get; set; }

        public int Status { get; set; }

        public long Ttl { get; set; }
    }
}
