using System.Text;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.AiRequestTransformer;

/// <summary>Reads the client's body (413 over <c>max_request_body_size</c>), has the LLM rewrite it, and sends the rewrite upstream.</summary>
internal sealed class AiRequestTransformerHandler(AiTransformer transformer) : IPluginHandler
{
    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        var http = context.HttpContext;
        if (await BoundedBodies.ReadAsync(http.Request.Body, http.Request.ContentLength, transformer.Options.MaxBodySize, http.RequestAborted) is not { } body)
        {
            await AiErrors.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, "request body is too large");
            return false;
        }

        var (rewritten, error) = await transformer.TransformAsync(context, Encoding.UTF8.GetString(body));
        if (rewritten is null)
        {
            await AiTransformer.FailAsync(http, error!);
            return false;
        }

        var bytes = Encoding.UTF8.GetBytes(rewritten);
        http.Request.Body = new MemoryStream(bytes, writable: false);
        http.Request.ContentLength = bytes.Length;
        http.Request.Headers.Remove("Transfer-Encoding");
        return true;
    }
}
