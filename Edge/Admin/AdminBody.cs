using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Hosting;

namespace Turnpike.Edge.Admin;

/// <summary>
/// The one way admin endpoints read a request body, within <c>Turnpike:Admin:MaxBodySize</c>. <see cref="Limit"/>
/// runs first on every admin request: a declared Content-Length over the limit is refused before a byte is read,
/// and the body is wrapped so that an undeclared (chunked) one is counted while any reader consumes it.
/// </summary>
internal static class AdminBody
{
    public static long MaxSize(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<EdgeOptions>>().Value.Admin.MaxBodySize;

    /// <summary>Middleware of the admin pipeline: sets the limit before any endpoint reads the body.</summary>
    public static Task Limit(HttpContext context, Func<Task> next)
    {
        var limit = MaxSize(context);
        if (context.Request.ContentLength > limit)
        {
            throw new AdminBodyTooLargeException();
        }

        // Kestrel's own limit (30 MB by default) would otherwise apply first, or not at all when configured higher.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } kestrel)
        {
            kestrel.MaxRequestBodySize = limit;
        }

        context.Request.Body = new BoundedReadStream(context.Request.Body, limit);
        return next();
    }

    public static async Task<byte[]> ReadBytesAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        return buffer.ToArray();
    }

    public static async Task<string> ReadTextAsync(HttpRequest request) => Encoding.UTF8.GetString(await ReadBytesAsync(request));

    /// <summary>A form whose values may be as long as the body limit (a declarative file posted as <c>config=...</c>), not ASP.NET Core's 4 MB.</summary>
    public static Task<IFormCollection> ReadFormAsync(HttpRequest request)
    {
        var limit = MaxSize(request.HttpContext);
        var options = new FormOptions
        {
            ValueLengthLimit = (int)Math.Min(limit, int.MaxValue),
            MultipartBodyLengthLimit = limit,
            MultipartBoundaryLengthLimit = FormOptions.DefaultMultipartBoundaryLengthLimit,
        };
        return request.ReadFormAsync(options, request.HttpContext.RequestAborted);
    }
}
