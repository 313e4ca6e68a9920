using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Metering;
using Turnpike.Edge.RouteTable;
using Turnpike.Edge.Routing;
using Turnpike.Edge.Status;
using Yarp.ReverseProxy.Forwarder;

namespace Turnpike.Edge.Proxy;

/// <summary>
/// The proxy listener's whole pipeline: match against the current immutable snapshot, run the route's
/// plugins, forward with YARP. Nothing here calls the cluster.
/// </summary>
internal sealed partial class ProxyMiddleware(
    RouteTableStore store, IHttpForwarder forwarder, EdgeCounters counters, MeterRecorder meters, IOptions<MeteringOptions> metering, ILogger<ProxyMiddleware> logger)
{
    private readonly bool _metering = metering.Value.Enabled;

    public async Task InvokeAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        counters.CountRequest();
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var snapshot = store.Current;
        var match = snapshot.Matcher.Match(request.Method, request.Host.Value ?? "", path, request.Headers);
        if (match is not { } found)
        {
            await ProxyErrors.WriteAsync(context, StatusCodes.Status404NotFound, ProxyErrors.NoRoute);
            return;
        }

        var route = found.Route;
        if (!(request.IsHttps ? route.AllowsHttps : route.AllowsHttp))
        {
            await RejectProtocolAsync(context, route);
            return;
        }

        if (route.Service is not { } service)
        {
            await ProxyErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ProxyErrors.NoService);
            return;
        }

        var strip = route.Entity.StripPath && found.MatchedPathLength >= 0;
        var upstreamPath = UpstreamPath.Build(service.Entity.Path, path, strip ? found.MatchedPathLength : -1, route.PathHandlingV1);
        var proxy = new ProxyContext(context, found, snapshot.Consumers, upstreamPath, strip ? path[..found.MatchedPathLength] : null, start);
        if (!_metering)
        {
            try
            {
                await RunAsync(context, proxy, route, service);
            }
            finally
            {
                proxy.Ai?.Settle(Ai.AiUsage.None); // no exchange settled: nothing reached a provider through ai-proxy
            }

            return;
        }

        var requestBody = request.ContentLength is null && request.Headers.TransferEncoding.Count > 0 ? new ByteCountingStream(request.Body) : null;
        if (requestBody is not null)
        {
            request.Body = requestBody;
        }

        var rejected = true;
        try
        {
            rejected = !await RunAsync(context, proxy, route, service);
        }
        finally
        {
            proxy.Ai?.Settle(Ai.AiUsage.None);

            // Every request that reached a service is metered, those a plugin answered as rejected.
            meters.Record(
                proxy.Consumer?.Id ?? Guid.Empty,
                service.Entity.Id,
                route.Entity.Id,
                context.Response.StatusCode,
                rejected,
                requestBody?.Count ?? request.ContentLength ?? 0,
                proxy.ResponseBodyCounter?.Count ?? context.Response.ContentLength ?? 0,
                proxy.UpstreamLatencyMs,
                proxy.MeterCounters);
        }
    }

    /// <summary>Runs the plugins and forwards; false when a plugin answered the request itself.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> RunAsync(HttpContext context, ProxyContext proxy, CompiledRoute route, CompiledService service)
    {
        foreach (var slot in route.Plugins.Slots)
        {
            if (slot.For(proxy.Consumer) is { } handler && !await handler.OnRequestAsync(proxy))
            {
                return false;
            }
        }

        if (proxy.Exchange is { } exchange)
        {
            await exchange.SendAsync(proxy, service);
            return true;
        }

        var hashKey = service.Balancer is { HashesRequests: true } balancer ? HashKey(proxy, balancer.Upstream) : null;
        if (service.NextDestination(hashKey, 0, out var target) is not { } destination)
        {
            await ProxyErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ProxyErrors.NoPeer);
            return true;
        }

        proxy.UpstreamHost = service.HostFor(target);
        var error = await forwarder.SendAsync(context, destination, service.Client, service.RequestConfig, proxy);
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
            error = await forwarder.SendAsync(context, next, service.Client, service.RequestConfig, proxy);
            Observe(service, next, target, error, context, proxy);
        }

        if (proxy.ResponseBuffer is not null)
        {
            if (error == ForwarderError.None)
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
            else
            {
                proxy.RestoreResponseBody();
            }
        }

        if (error != ForwarderError.None && !context.Response.HasStarted && error is not ForwarderError.RequestCanceled)
        {
            var timedOut = error == ForwarderError.RequestTimedOut || context.Response.StatusCode == StatusCodes.Status504GatewayTimeout;
            await ProxyErrors.WriteAsync(
                context,
                timedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway,
                timedOut ? ProxyErrors.GatewayTimeout : ProxyErrors.BadGateway);
        }

        return true;
    }

    private void Observe(CompiledService service, string destination, UpstreamBalancer.Endpoint? target, ForwarderError error, HttpContext context, ProxyContext proxy)
    {
        service.Balancer?.Observe(target, error == ForwarderError.Request, error == ForwarderError.RequestTimedOut, context.Response.StatusCode, proxy.UpstreamLatencyMs);
        if (error != ForwarderError.None && !IsClientSide(error))
        {
            // The shipped configuration keeps YARP's forwarder quiet (it logs every request at Information and each
            // failure with a stack trace): an operator gets one line per failure, naming the service, from here.
            var reason = context.Features.Get<IForwarderErrorFeature>()?.Exception?.Message ?? "";
            UpstreamFailed(logger, service.Entity.Name ?? service.Entity.Id.ToString(), destination, error, reason);
        }
    }

    /// <summary>Errors caused by the client (it went away, or its body failed): no fault of the upstream, nothing to log.</summary>
    private static bool IsClientSide(ForwarderError error) => error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled
        or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient
        or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeRequestClient or ForwarderError.UpgradeResponseCanceled
        or ForwarderError.UpgradeResponseClient;

    [LoggerMessage(EventId = 2800, Level = LogLevel.Warning, Message = "Service {Service}: forwarding to {Destination} failed ({Error}): {Reason}")]
    private static partial void UpstreamFailed(ILogger logger, string service, string destination, ForwarderError error, string reason);

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

    private static Task RejectProtocolAsync(HttpContext context, CompiledRoute route)
    {
        var status = route.Entity.HttpsRedirectStatusCode;
        if (status == StatusCodes.Status426UpgradeRequired)
        {
            context.Response.Headers.Connection = "Upgrade";
            context.Response.Headers.Upgrade = "TLS/1.2, HTTP/1.1";
            return ProxyErrors.WriteAsync(context, status, ProxyErrors.UseHttps);
        }

        var request = context.Request;
        context.Response.StatusCode = status;
        context.Response.Headers.Location = $"https://{request.Host.Host}{request.PathBase}{request.Path}{request.QueryString}";
        return Task.CompletedTask;
    }
}
