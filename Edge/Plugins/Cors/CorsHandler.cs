using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.Cors;

/// <summary>
/// A preflight (OPTIONS) is answered here with 200 and the allow headers, unless <c>preflight_continue</c>;
/// other requests are proxied and get <c>Access-Control-Allow-Origin</c> (and credentials, exposed headers)
/// on the way back when their origin is allowed, as Kong's cors does.
/// </summary>
internal sealed class CorsHandler(CorsOptions options) : IPluginHandler
{
    private readonly bool _anyOrigin = options.Origins is not { Length: > 0 } || options.Origins.Contains("*");
    private readonly Regex[] _origins = [.. (options.Origins ?? []).Where(o => o != "*")
        .Select(o => Routing.RouteRegex.Create(Routing.RouteRegex.Whole(o), RegexOptions.IgnoreCase))];

    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        var request = context.HttpContext.Request;
        if (!HttpMethods.IsOptions(request.Method) || options.PreflightContinue)
        {
            return true;
        }

        var headers = context.HttpContext.Response.Headers;
        SetOrigin(request, headers);
        if (options.Credentials)
        {
            headers.AccessControlAllowCredentials = "true";
        }

        headers.AccessControlAllowHeaders = options.Headers is { Length: > 0 } allowed
            ? string.Join(',', allowed)
            : request.Headers.AccessControlRequestHeaders.ToString();
        headers.AccessControlAllowMethods = string.Join(',', options.Methods);
        if (options.MaxAge is { } maxAge)
        {
            headers.AccessControlMaxAge = maxAge.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (options.PrivateNetwork && request.Headers["Access-Control-Request-Private-Network"] == "true")
        {
            headers["Access-Control-Allow-Private-Network"] = "true";
        }

        context.HttpContext.Response.StatusCode = StatusCodes.Status200OK;
        context.HttpContext.Response.ContentLength = 0;
        await context.HttpContext.Response.CompleteAsync();
        return false;
    }

    public void OnResponseHeaders(ProxyContext context)
    {
        var headers = context.HttpContext.Response.Headers;
        SetOrigin(context.HttpContext.Request, headers);
        if (options.Credentials)
        {
            headers.AccessControlAllowCredentials = "true";
        }

        if (options.ExposedHeaders is { Length: > 0 } exposed)
        {
            headers.AccessControlExposeHeaders = string.Join(',', exposed);
        }
    }

    private void SetOrigin(HttpRequest request, IHeaderDictionary headers)
    {
        var origin = request.Headers.Origin.ToString();
        if (_anyOrigin)
        {
            // Browsers refuse '*' with credentials: echo the origin then, as Kong does.
            if (options.Credentials && origin.Length > 0)
            {
                headers.AccessControlAllowOrigin = origin;
                headers.Append("Vary", "Origin");
            }
            else
            {
                headers.AccessControlAllowOrigin = "*";
            }

            return;
        }

        headers.Append("Vary", "Origin");
        if (origin.Length > 0 && _origins.Any(r => r.IsMatch(origin)))
        {
            headers.AccessControlAllowOrigin = origin;
        }
    }
}
