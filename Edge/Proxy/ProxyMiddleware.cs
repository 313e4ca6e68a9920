using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.RouteTable;
using Turnpike.Edge.Routing;
using Turnpike.Edge.Status;
using Yarp.ReverseProxy.Forwarder;

namespace Turnpike.Edge.Proxy;

/// <summary>
/// The proxy listener's whole pipeline. Nothing here calls the cluster. Every request goes through these phases in
/// this order, however it is answered — forwarded, answered by the router, a plugin, a cache or an exchange, or
/// failed — so no way of answering can skip one:
/// <list type="number">
/// <item>Canonical request: the path from the request line (<see cref="RequestPath"/>), the Host without a trailing
/// dot, client copies of gateway-owned headers dropped (<see cref="UpstreamRequestHeaders"/>).</item>
/// <item>Match against the current immutable snapshot. A refused path (400), no route (404), a protocol the route
/// does not take (415/426/redirect, <see cref="ProtocolMismatch"/>) or no service (503) is answered here by the router (<see cref="AnsweredBy.Router"/>), with a
/// route-less <see cref="ProxyContext"/> (<see cref="ProxyContext.Refused"/>) whose plugins are the table's global
/// ones: phases 3 and 4 are skipped, 5 and 7 run.</item>
/// <item>Access: a <see cref="ProxyContext"/> for the route; each <see cref="IRequestBeginPhase"/> (metering's body
/// count); a tracing plugin's trace begins (<see cref="Plugins.PluginChain.Tracer"/>), then each plugin's
/// <c>OnRequestAsync</c> runs in priority order (a span each when traced); a plugin may answer (the request ends
/// here: <see cref="AnsweredBy.Plugin"/>, or <see cref="AnsweredBy.Cache"/> for a cache hit; on a gRPC call its answer
/// becomes a gRPC status). A failure is its 4xx or a 500 (<see cref="AnsweredBy.Fault"/>).</item>
/// <item>Upstream request: YARP's forwarder with <see cref="ProxyContext"/> as its transform (balancer, retries,
/// passive health; <see cref="AnsweredBy.Upstream"/>), or the exchange a plugin set (ai-proxy, aws-lambda;
/// <see cref="AnsweredBy.Exchange"/>), run by <see cref="RunExchangeAsync"/>, which times it (<see cref="UpstreamCall"/>)
/// and counts its body. A client's fault is its 4xx, never the upstream's.</item>
/// <item>Response headers: run once by Kestrel as the response starts, whoever answered
/// (<see cref="ProxyContext.ResponseStarting"/>): the gateway's headers when the upstream answered, the headers
/// plugins asked for, each plugin's <c>OnResponseHeaders</c>.</item>
/// <item>Response body: streamed, or held for the plugins that rewrite it (<c>OnResponseBodyAsync</c>) and then sent.</item>
/// <item>Log: the request is over; every <see cref="IRequestLogPhase"/> consumes it in <see cref="LogPhaseOrder"/>
/// (AI settlement, the plugins' log phase, metering), each guarded so one that throws skips none of the others.</item>
/// </list>
/// </summary>
internal sealed partial class ProxyMiddleware(
    RouteTableStore store,
    IHttpForwarder forwarder,
    UpstreamClients clients,
    EdgeCounters counters,
    IEnumerable<IRequestBeginPhase> beginPhase,
    IEnumerable<IRequestLogPhase> logPhase,
    ILogger<ProxyMiddleware> logger)
{
    private readonly IRequestBeginPhase[] _beginPhase = [.. beginPhase];

    // Stable: consumers of the same order keep their registration order.
    private readonly IRequestLogPhase[] _logPhase = [.. logPhase.OrderBy(c => c.Order)];

    public async Task InvokeAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        counters.CountRequest();
        var snapshot = store.Current;
        var proxy = await RouteAsync(context, snapshot, start);
        if (proxy.AnsweredBy == AnsweredBy.Router || proxy is not { Route: { } route, Service: { } service })
        {
            // Phase 2 answered, with the response-headers phase registered before it wrote: on to the log phase.
            RunLogPhase(proxy);
            return;
        }

        foreach (var begin in _beginPhase)
        {
            begin.OnBegin(proxy);
        }

        // AnsweredBy starts as Fault: a request that fails before a plugin answers or the forward is reached is one.
        try
        {
            await RunAsync(context, proxy, route, service, Grpc.GrpcRequest.Is(context.Request));
        }
        catch (Exception ex) when (!context.Response.HasStarted && ex is not OperationCanceledException)
        {
            proxy.AnsweredBy = AnsweredBy.Fault;
            await AnswerFaultAsync(context, ex);
        }
        finally
        {
            RunLogPhase(proxy);
        }
    }

    /// <summary>
    /// Phases 1 and 2: the request's context for its route and service, or the route-less context of a request the
    /// router answered itself (already answered when returned, <see cref="AnsweredBy.Router"/>).
    /// </summary>
    private async ValueTask<ProxyContext> RouteAsync(HttpContext context, RouteTableSnapshot snapshot, long start)
    {
        var request = context.Request;
        if (ClientFault.OnArrival(context) is { } arrival)
        {
            var refused = Refuse(context, snapshot, null, request.Path.Value ?? "/", start);
            await ProxyErrors.WriteAsync(context, arrival, ProxyErrors.ForClientFault(arrival));
            return refused;
        }

        if (ClientPath(context) is not { } clientPath)
        {
            var refused = Refuse(context, snapshot, null, request.Path.Value ?? "/", start);
            await ProxyErrors.WriteAsync(context, StatusCodes.Status400BadRequest, ProxyErrors.BadRequest);
            return refused;
        }

        // The gateway's own names (X-Consumer-*, forwarding headers) never come from the client: gone before any plugin looks.
        UpstreamRequestHeaders.RemoveClientCopies(request.Headers);
        var path = clientPath.Canonical;
        RouteMatch? match;
        try
        {
            match = snapshot.Matcher.Match(request.Method, CanonicalHost(request.Host.Value ?? ""), path, request.Headers);
        }
        catch (RegexMatchTimeoutException)
        {
            RegexTimedOut(logger, request.Method);
            var refused = Refuse(context, snapshot, null, clientPath.Encoded, start);
            await ProxyErrors.WriteAsync(context, StatusCodes.Status400BadRequest, ProxyErrors.BadRequest);
            return refused;
        }

        if (match is not { } found)
        {
            var refused = Refuse(context, snapshot, null, clientPath.Encoded, start);
            await ProxyErrors.WriteAsync(context, StatusCodes.Status404NotFound, ProxyErrors.NoRoute);
            return refused;
        }

        var route = found.Route;
        var grpc = Grpc.GrpcRequest.Is(request);
        if (!ProtocolMismatch.Accepts(route, request, grpc))
        {
            var refused = Refuse(context, snapshot, route, clientPath.Encoded, start);
            await ProtocolMismatch.AnswerAsync(context, route, clientPath.Encoded, grpc);
            return refused;
        }

        if (route.Service is not { } service)
        {
            var refused = Refuse(context, snapshot, route, clientPath.Encoded, start);
            await ProxyErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ProxyErrors.NoService);
            return refused;
        }

        // Stripping and the forwarded path work on the escaped form, so the upstream gets the client's escapes (%2F stays %2F).
        var strip = route.Entity.StripPath && found.MatchedPathLength >= 0;
        var stripLength = strip ? clientPath.EncodedLength(found.MatchedPathLength) : -1;
        var upstreamPath = UpstreamPath.Build(service.EscapedPath, clientPath.Encoded, stripLength, route.PathHandlingV1);
        var proxy = new ProxyContext(context, route, service, snapshot.Consumers, clientPath.Encoded, upstreamPath, strip ? clientPath.Encoded[..stripLength] : null, start);
        context.Response.OnStarting(ProxyContext.ResponseStarting, proxy); // phase 5, whoever answers
        return proxy;
    }

    /// <summary>The route-less context of a request the router answers, its response-headers phase registered before the answer is written.</summary>
    private static ProxyContext Refuse(HttpContext context, RouteTableSnapshot snapshot, CompiledRoute? route, string path, long start)
    {
        var refused = ProxyContext.Refused(context, snapshot.GlobalPlugins, route, snapshot.Consumers, path, start);
        context.Response.OnStarting(ProxyContext.ResponseStarting, refused);
        return refused;
    }

    /// <summary>Phase 7: every consumer in order, each guarded, so one that throws costs a log line and skips no other.</summary>
    private void RunLogPhase(ProxyContext proxy)
    {
        foreach (var consumer in _logPhase)
        {
            try
            {
                consumer.OnCompleted(proxy);
            }
            catch (Exception ex)
            {
                LogPhaseFailed(logger, consumer.GetType().Name, ex.GetType().Name, ex.Message);
            }
        }
    }

    /// <summary>The client's path from its request line, or null when it is refused (<see cref="RequestPath.Parse"/>).</summary>
    private static RequestPath? ClientPath(HttpContext context)
    {
        var request = context.Request;
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        RequestPath? path;
        if (raw is { Length: > 0 } && raw[0] == '/')
        {
            var query = raw.IndexOf('?', StringComparison.Ordinal);
            path = RequestPath.Parse(query < 0 ? raw : raw.AsSpan(0, query), request.Path.Value);
        }
        else
        {
            // Absolute-form (or HTTP/2's :path already parsed): Kestrel's decoded path, escaped again.
            path = RequestPath.Parse(request.Path.HasValue ? request.Path.ToUriComponent() : "/");
        }

        if (path is { } parsed && !string.Equals(parsed.Canonical, request.Path.Value, StringComparison.Ordinal))
        {
            request.Path = new PathString(parsed.Canonical); // plugins read the same path the route was matched on
        }

        return path;
    }

    /// <summary>The Host as routes match it: a trailing dot (<c>api.test.</c>, a fully qualified name) names the same host.</summary>
    private static string CanonicalHost(string host)
    {
        var colon = host.LastIndexOf(':');
        var end = colon > 0 && host.IndexOf(']', colon) < 0 ? colon : host.Length;
        return end > 1 && host[end - 1] == '.' ? string.Concat(host.AsSpan(0, end - 1), host.AsSpan(end)) : host;
    }

    /// <summary>A request that failed in a plugin or the matcher: the client's fault is its 4xx, anything else one log line and a 500.</summary>
    private Task AnswerFaultAsync(HttpContext context, Exception exception)
    {
        if (ClientFault.StatusOf(exception) is { } status)
        {
            return ProxyErrors.WriteAsync(context, status, ProxyErrors.ForClientFault(status));
        }

        RequestFailed(logger, context.Request.Method, exception.GetType().Name, exception.Message);
        return ProxyErrors.WriteAsync(context, StatusCodes.Status500InternalServerError, ProxyErrors.Unexpected);
    }

    /// <summary>Phases 3 and 4: runs the plugins and forwards, setting who answered.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RunAsync(HttpContext context, ProxyContext proxy, CompiledRoute route, CompiledService service, bool grpc)
    {
        if (!route.Plugins.IsEmpty && !await RunPluginsAsync(context, proxy, route, grpc))
        {
            // A cache plugin says so itself (ProxyContext.AnswerFromCache); any other answer is a plugin's.
            proxy.AnsweredBy = proxy.AnsweredBy == AnsweredBy.Cache ? AnsweredBy.Cache : AnsweredBy.Plugin;
            return;
        }

        // A hold on the pooled client for as long as this request forwards with it: a pool retired by a newer
        // snapshot meanwhile is disposed only after its last request, never under one.
        var client = clients.Lease(service.Client);
        try
        {
            await ForwardAsync(context, proxy, route, service, client.Invoker);
        }
        finally
        {
            client.Release();
        }
    }

    /// <summary>
    /// Runs the route's plugins; false when one answered. On a gRPC call whatever a plugin answers is held and turned
    /// into a gRPC status before anything reaches the client (<see cref="Grpc.GrpcAnswerCapture"/>), so no plugin needs
    /// to know about gRPC.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<bool> RunPluginsAsync(HttpContext context, ProxyContext proxy, CompiledRoute route, bool grpc)
    {
        var capture = grpc ? Grpc.GrpcAnswerCapture.Begin(context) : null;
        var done = false;
        var trace = proxy.Trace = route.Plugins.Tracer?.Begin(proxy);
        try
        {
            foreach (var slot in route.Plugins.Slots)
            {
                if (slot.For(proxy.Consumer) is not { } handler)
                {
                    continue;
                }

                var began = trace is null ? 0 : Stopwatch.GetTimestamp();
                var passed = await handler.OnRequestAsync(proxy);
                trace?.Plugin(slot.Name, began);
                if (!passed)
                {
                    if (proxy.ResponseBuffer is not null)
                    {
                        // An earlier plugin (response-transformer) holds the response body for the upstream's answer:
                        // this answer is in it, and goes on to the client as it is.
                        await proxy.SendResponseBodyAsync();
                    }

                    if (capture is not null)
                    {
                        await capture.AnswerAsync();
                    }

                    done = true;
                    return false;
                }
            }

            capture?.Pass();
            done = true;
            return true;
        }
        finally
        {
            if (!done)
            {
                // A plugin threw: the proxy answers the failure itself, to the client's own body.
                if (proxy.ResponseBuffer is not null)
                {
                    proxy.RestoreResponseBody();
                }

                capture?.Discard();
            }
        }
    }

    /// <summary>Forwards to the service's upstream with <paramref name="client"/> (or runs a plugin's exchange with it), retries included.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ForwardAsync(HttpContext context, ProxyContext proxy, CompiledRoute route, CompiledService service, HttpMessageInvoker client)
    {
        if (proxy.Exchange is { } exchange)
        {
            await RunExchangeAsync(context, proxy, exchange, route, service, client);
            return;
        }

        proxy.AnsweredBy = AnsweredBy.Upstream;

        var hashKey = service.Balancer is { HashesRequests: true } balancer ? HashKey(proxy, balancer.Upstream) : null;
        if (service.NextDestination(hashKey, 0, out var target) is not { } destination)
        {
            await ProxyErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ProxyErrors.NoPeer);
            return;
        }

        proxy.UpstreamHost = service.HostFor(target);
        proxy.UpstreamDestination = destination;
        var error = await forwarder.SendAsync(context, destination, client, service.RequestConfig, proxy);
        Observe(service, destination, target, error, context, proxy);

        // Kong's retries: a request that could not reach its target goes to the next one, up to the service's
        // retries — here only while nothing was sent back and only for idempotent requests without a body,
        // which are safe to send again whatever the failed target saw.
        for (var retry = 0; error == ForwarderError.Request && retry < service.Entity.Retries && service.Balancer is not null && CanResend(context); retry++)
        {
            if (service.NextDestination(hashKey, retry + 1, out target) is not { } next)
            {
                break;
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
            proxy.UpstreamHost = service.HostFor(target);
            proxy.UpstreamDestination = next;
            error = await forwarder.SendAsync(context, next, client, service.RequestConfig, proxy);
            Observe(service, next, target, error, context, proxy);
        }

        if (proxy.ResponseBuffer is not null)
        {
            if (proxy.ResponseBodyTooLarge)
            {
                // The upstream answered, but with more than a plugin holds (its copy stopped there): no failure of the
                // upstream's or the client's, the plugins that held the body answer it.
                error = ForwarderError.None;
            }

            if (error == ForwarderError.None)
            {
                await RunResponseBodyPhaseAsync(proxy, route);
            }
            else
            {
                proxy.RestoreResponseBody();
            }
        }

        if (error != ForwarderError.None && ClientFault.StatusOf(error, context) is { } clientStatus)
        {
            // The client's request failed (bad framing, too large, too slow, gone): its 4xx, never the upstream's 502.
            if (!context.Response.HasStarted && clientStatus != ClientFault.ClientClosedRequest)
            {
                await ProxyErrors.WriteAsync(context, clientStatus, ProxyErrors.ForClientFault(clientStatus));
            }
            else
            {
                context.Response.StatusCode = clientStatus;
            }
        }
        else if (error != ForwarderError.None && !context.Response.HasStarted)
        {
            var timedOut = error == ForwarderError.RequestTimedOut || context.Response.StatusCode == StatusCodes.Status504GatewayTimeout;
            await ProxyErrors.WriteAsync(
                context,
                timedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway,
                timedOut ? ProxyErrors.GatewayTimeout : ProxyErrors.BadGateway);
        }
    }

    /// <summary>
    /// Phase 4 for an exchange a plugin set: what every way of answering owes the request is done here, not by the
    /// exchange — its calls timed (<see cref="UpstreamCall"/>), what it writes counted, who answered set — then the
    /// body phase for the plugins that hold its answer.
    /// </summary>
    private static async ValueTask RunExchangeAsync(HttpContext context, ProxyContext proxy, IUpstreamExchange exchange, CompiledRoute route, CompiledService service, HttpMessageInvoker client)
    {
        proxy.AnsweredBy = AnsweredBy.Exchange;
        proxy.CountResponseBody();
        await exchange.SendAsync(proxy, new UpstreamCall(proxy, service, client));
        if (proxy.ResponseBuffer is not null && !context.Response.HasStarted)
        {
            // The exchange (ai-proxy) wrote its answer into the body a plugin holds: the holders rewrite it, then it goes.
            await RunResponseBodyPhaseAsync(proxy, route);
        }
    }

    /// <summary>Phase 6 for a held body: each plugin's <c>OnResponseBodyAsync</c> in order, then the body goes to the client.</summary>
    private static async ValueTask RunResponseBodyPhaseAsync(ProxyContext proxy, CompiledRoute route)
    {
        foreach (var slot in route.Plugins.Slots)
        {
            if (slot.For(proxy.Consumer) is { } handler)
            {
                await handler.OnResponseBodyAsync(proxy);
            }
        }

        await proxy.SendResponseBodyAsync();
    }

    private void Observe(CompiledService service, string destination, UpstreamBalancer.Endpoint? target, ForwarderError error, HttpContext context, ProxyContext proxy)
    {
        if (error != ForwarderError.None && ClientFault.StatusOf(error, context) is not null)
        {
            return; // a client's fault says nothing about the target: no health count, no log line
        }

        service.Balancer?.Observe(target, error == ForwarderError.Request, error == ForwarderError.RequestTimedOut, context.Response.StatusCode, proxy.UpstreamLatencyMs);
        if (error != ForwarderError.None)
        {
            // The shipped configuration keeps YARP's forwarder quiet (it logs every request at Information and each
            // failure with a stack trace): an operator gets one line per failure, naming the service and the reason
            // (for TLS, the refusal's own words: untrusted root, name mismatch, depth, no client certificate), from here.
            var reason = UpstreamFailureReason.Of(context.Features.Get<IForwarderErrorFeature>()?.Exception);
            UpstreamFailed(logger, service.Entity.Name ?? service.Entity.Id.ToString(), destination, error, reason);
        }
    }

    [LoggerMessage(EventId = 2800, Level = LogLevel.Warning, Message = "Service {Service}: forwarding to {Destination} failed ({Error}): {Reason}")]
    private static partial void UpstreamFailed(ILogger logger, string service, string destination, ForwarderError error, string reason);

    [LoggerMessage(EventId = 2801, Level = LogLevel.Warning, Message = "A {Method} request's path took too long to match a regex route: answered 400")]
    private static partial void RegexTimedOut(ILogger logger, string method);

    [LoggerMessage(EventId = 2802, Level = LogLevel.Error, Message = "A {Method} request failed in the proxy ({Exception}: {Reason}): answered 500")]
    private static partial void RequestFailed(ILogger logger, string method, string exception, string reason);

    [LoggerMessage(EventId = 2803, Level = LogLevel.Error, Message = "A log-phase consumer failed in {Consumer} ({Exception}: {Reason}); the others ran")]
    private static partial void LogPhaseFailed(ILogger logger, string consumer, string exception, string reason);

    /// <summary>What a consistent-hashing upstream hashes this request by: its <c>hash_on</c>, else its <c>hash_fallback</c>.</summary>
    private static string? HashKey(ProxyContext proxy, UpstreamEntity upstream) =>
        HashSource(proxy, upstream.HashOn, upstream.HashOnHeader, upstream) ?? HashSource(proxy, upstream.HashFallback, upstream.HashFallbackHeader, upstream);

    /// <summary>Kong's cookie hashing: the client's cookie, or a new random one the response sets so the client sticks from then on.</summary>
    private static string CookieKey(ProxyContext proxy, UpstreamEntity upstream)
    {
        if (proxy.HttpContext.Request.Cookies.TryGetValue(upstream.HashOnCookie!, out var value) && value.Length > 0)
        {
            return value;
        }

        var created = Guid.NewGuid().ToString("N");
        proxy.SetResponseHeader("Set-Cookie", $"{upstream.HashOnCookie}={created}; Path={upstream.HashOnCookiePath}");
        return created;
    }

    private static string? HashSource(ProxyContext proxy, string source, string? header, UpstreamEntity upstream) => source switch
    {
        "consumer" => proxy.Consumer?.Id.ToString("N"),
        "cookie" => CookieKey(proxy, upstream),
        "ip" => ConnectionText.Of(proxy.HttpContext).RemoteAddress,
        "header" when header is not null => proxy.HttpContext.Request.Headers[header].ToString() is { Length: > 0 } value ? value : null,
        "path" => proxy.HttpContext.Request.Path.Value,
        _ => null,
    };

    private static bool CanResend(HttpContext context)
    {
        var request = context.Request;
        return !context.Response.HasStarted
            && request.ContentLength is null or 0
            && request.Headers.TransferEncoding.Count == 0
            && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
                || HttpMethods.IsPut(request.Method) || HttpMethods.IsDelete(request.Method) || HttpMethods.IsTrace(request.Method));
    }
}
