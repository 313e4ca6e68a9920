using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.RequestSizeLimiting;

/// <summary>
/// A declared <c>Content-Length</c> is checked without reading the body. A body without one (chunked) is
/// buffered up to the limit, spilling to disk past 30 KB as ASP.NET's buffering does, and refused once it
/// passes the limit; the upstream then gets the buffered body.
/// </summary>
internal sealed class RequestSizeLimitingHandler(long allowedBytes, bool requireContentLength) : IPluginHandler
{
    public const string TooLarge = "Request size limit exceeded";

    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        var request = context.HttpContext.Request;
        if (request.ContentLength is { } length)
        {
            return length <= allowedBytes || await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge);
        }

        var hasBody = request.Headers.TransferEncoding.Count > 0;
        if (!hasBody)
        {
            return true;
        }

        if (requireContentLength)
        {
            return await RefuseAsync(context, StatusCodes.Status411LengthRequired, "A valid Content-Length header is required");
        }

        request.EnableBuffering(bufferThreshold: 30 * 1024, bufferLimit: allowedBytes);
        try
        {
            await request.Body.CopyToAsync(Stream.Null, context.HttpContext.RequestAborted);
        }
        catch (IOException)
        {
            return await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge);
        }

        request.Body.Position = 0;
        return true;
    }

    private static async ValueTask<bool> RefuseAsync(ProxyContext context, int status, string message)
    {
        await ProxyErrors.WriteAsync(context.HttpContext, status, message);
        return false;
    }
}
