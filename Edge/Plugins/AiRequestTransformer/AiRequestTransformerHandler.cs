using System.Text;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.AiRequestTransformer;

/// <summary>Reads the client's body (413 over <c>max_request_body_size</c>), has the LLM rewrite it, and sends the rewrite upstream.</summary>
internal sealed class AiRequestTransformerHandler(AiTransformerOptions options, LlmOneShot llm) : IPluginHandler
{
    public const string Failed = "failed to introspect request with AI service: ";
    public const string NoMatch = "AI response did not match specified regular expression";

    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        var http = context.HttpContext;
        if (await AiTransformerBodies.ReadAsync(http.Request.Body, http.Request.ContentLength, options.MaxBodySize, http.RequestAborted) is not { } body)
        {
            await AiErrors.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, "request body is too large");
            return false;
        }

        var (reply, failure) = await llm.AskAsync(context, options.Prompt, Encoding.UTF8.GetString(body));
        if (reply is null)
        {
            await AiErrors.WriteAsync(http, StatusCodes.Status500InternalServerError, Failed + failure);
            return false;
        }

        if (AiTransformerFields.Extract(options.ExtractPattern, reply) is not { } rewritten)
        {
            await AiErrors.WriteAsync(http, StatusCodes.Status500InternalServerError, NoMatch);
            return false;
        }

        var bytes = Encoding.UTF8.GetBytes(rewritten);
        http.Request.Body = new MemoryStream(bytes, writable: false);
        http.Request.ContentLength = bytes.Length;
        http.Request.Headers.Remove("Transfer-Encoding");
        return true;
    }
}
