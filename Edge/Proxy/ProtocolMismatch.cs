using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Routing;

namespace Turnpike.Edge.Proxy;

/// <summary>
/// Kong's answers to a request whose protocol its route does not take, in Kong's order. A gRPC route takes gRPC calls
/// over HTTP/2 only: anything else is 415, a gRPC call over HTTP/1.1 is 426 asking for HTTP/2 (JSON: such a client
/// can read no gRPC status), and a cleartext call to a <c>grpcs</c>-only route is the gRPC status CANCELLED. Other
/// routes send a client that should use TLS there (426 or the route's redirect).
/// </summary>
internal static class ProtocolMismatch
{
    public const string UseHttp2 = "Please use HTTP2 protocol";
    public const string NotGrpc = "Non-gRPC request matched gRPC route";
    public const string GrpcsOnly = "gRPC request matched gRPCs route";

    /// <summary>True when <paramref name="route"/> takes the request as it came.</summary>
    public static bool Accepts(CompiledRoute route, HttpRequest request, bool grpc) =>
        route.IsGrpc
            ? grpc && HttpProtocol.IsHttp2(request.Protocol) && (request.IsHttps || route.AllowsCleartextGrpc)
            : request.IsHttps ? route.AllowsHttps : route.AllowsHttp;

    /// <summary>Answers a request <see cref="Accepts"/> refused.</summary>
    public static Task AnswerAsync(HttpContext context, CompiledRoute route, string escapedPath, bool grpc)
    {
        var request = context.Request;
        var response = context.Response;
        if (route.IsGrpc)
        {
            if (!grpc)
            {
                return ProxyErrors.WriteHttpJsonAsync(context, StatusCodes.Status415UnsupportedMediaType, NotGrpc);
            }

            if (!HttpProtocol.IsHttp2(request.Protocol))
            {
                response.Headers.Connection = "Upgrade";
                response.Headers.Upgrade = "HTTP/2";
                return ProxyErrors.WriteHttpJsonAsync(context, StatusCodes.Status426UpgradeRequired, UseHttp2);
            }

            return Grpc.GrpcAnswer.WriteStatusAsync(context, Grpc.GrpcStatus.Cancelled, GrpcsOnly);
        }

        var status = route.Entity.HttpsRedirectStatusCode;
        if (grpc)
        {
            return ProxyErrors.WriteAsync(context, status, ProxyErrors.UseHttps); // a gRPC client follows no redirect
        }

        if (status == StatusCodes.Status426UpgradeRequired)
        {
            response.Headers.Connection = "Upgrade";
            response.Headers.Upgrade = "TLS/1.2, HTTP/1.1";
            return ProxyErrors.WriteAsync(context, status, ProxyErrors.UseHttps);
        }

        response.StatusCode = status;
        response.Headers.Location = $"https://{request.Host.Host}{escapedPath}{request.QueryString}"; // the client's escapes, nothing escaped twice
        return Task.CompletedTask;
    }
}
