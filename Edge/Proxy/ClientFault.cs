using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Turnpike.Edge.Proxy;

/// <summary>
/// Tells a client's fault from an upstream's. A request whose own bytes failed — bad chunk framing, a body larger
/// than allowed or slower than the minimum rate, a client that went away — is answered with the client's 4xx as
/// nginx and Kong answer it, is never a 502, and never counts against the target's health or its retries.
/// </summary>
internal static class ClientFault
{
    /// <summary>nginx's status for a client that closed the connection before the answer (recorded, never sent).</summary>
    public const int ClientClosedRequest = 499;

    /// <summary>
    /// The client's status for a request refused as it arrives, before routing, as nginx refuses it: CONNECT (a tunnel
    /// the gateway does not offer; HTTP/2's extended CONNECT for WebSockets is a proxied request) is 405, and a body
    /// declared larger than the listener takes is 413 before anything is sent upstream.
    /// </summary>
    public static int? OnArrival(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsConnect(request.Method) && context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect != true)
        {
            return StatusCodes.Status405MethodNotAllowed;
        }

        return request.ContentLength > context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize
            ? StatusCodes.Status413PayloadTooLarge
            : null;
    }

    /// <summary>The client's status for a failed forward, or null when the failure is the upstream's (or the network's).</summary>
    public static int? StatusOf(ForwarderError error, HttpContext context)
    {
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        if (exception is not null && StatusOf(exception) is { } status)
        {
            return status;
        }

        return error switch
        {
            // RequestCreation: the client's request cannot be made into an upstream request (a method or header the
            // HTTP client refuses); whatever it was, the target never saw it.
            ForwarderError.RequestBodyClient or ForwarderError.UpgradeRequestClient or ForwarderError.RequestCreation => StatusCodes.Status400BadRequest,
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
                or ForwarderError.ResponseBodyClient or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled
                or ForwarderError.UpgradeResponseClient => ClientClosedRequest,
            _ => null,
        };
    }

    /// <summary>The client's status when <paramref name="exception"/> (or one it wraps) is the client's fault.</summary>
    public static int? StatusOf(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case BadHttpRequestException bad:
                    return bad.StatusCode;
                case System.Text.RegularExpressions.RegexMatchTimeoutException:
                case InvalidDataException: // a form or body a plugin read broke its reader's limits or framing
                    return StatusCodes.Status400BadRequest;
            }
        }

        return null;
    }
}
