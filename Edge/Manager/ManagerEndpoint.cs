using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Manager;

/// <summary>
/// Serves <c>/manager</c> on the admin listener: static files only, GET and HEAD, with headers that keep the page
/// from running anything but its own scripts (no inline script, no other origin) or being framed by another site.
/// The files hold no secrets, so they are served before admin authentication: the page asks for a token and sends
/// it with each admin API call, which is where authentication applies.
/// </summary>
internal sealed class ManagerEndpoint(ManagerAssets assets)
{
    public const string Root = "/manager";

    /// <summary>Everything the page needs comes from this origin: the assets and the admin API beside them.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
        "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static bool Matches(HttpContext context) => context.Request.Path.StartsWithSegments(Root, StringComparison.Ordinal);

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            headers.Allow = "GET, HEAD";
            return Plain(response, StatusCodes.Status405MethodNotAllowed, "Method not allowed");
        }

        var rest = request.Path.Value!.Length > Root.Length ? request.Path.Value[(Root.Length + 1)..] : null;
        if (rest is null)
        {
            // The page's relative links need the trailing slash.
            response.StatusCode = StatusCodes.Status308PermanentRedirect;
            headers.Location = Root + "/";
            return Task.CompletedTask;
        }

        if (assets.Find(rest.Length == 0 ? "index.html" : rest) is not { } asset)
        {
            return Plain(response, StatusCodes.Status404NotFound, "Not found");
        }

        // Revalidated each time (cheap: a 304 by ETag), so a new edge version's page is never mixed with old modules.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        return HttpMethods.IsHead(request.Method) ? Task.CompletedTask : response.Body.WriteAsync(asset.Content, context.RequestAborted).AsTask();
    }

    private static Task Plain(HttpResponse response, int status, string text)
    {
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync(text);
    }
}
