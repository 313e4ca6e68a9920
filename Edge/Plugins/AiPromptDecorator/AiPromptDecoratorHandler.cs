using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.AiPromptDecorator;

/// <summary>Puts the configured messages around the client's; only chat requests have messages to decorate.</summary>
internal sealed class AiPromptDecoratorHandler(JsonArray prepend, JsonArray append, int maxBodyBytes) : IPluginHandler
{
    public const string NotChat = "this LLM route only supports llm/chat type requests";

    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        if (await AiRequest.ReadAsync(context, maxBodyBytes) is not { } ai)
        {
            return false;
        }

        if (ai.Body["messages"] is not JsonArray messages)
        {
            await AiErrors.WriteAsync(context.HttpContext, StatusCodes.Status400BadRequest, NotChat);
            return false;
        }

        var body = (JsonObject)ai.Body.DeepClone();
        body["messages"] = new JsonArray([.. prepend.Select(m => m!.DeepClone()), .. messages.Select(m => m?.DeepClone()), .. append.Select(m => m!.DeepClone())]);
        ai.Replace(context.HttpContext, body);
        return true;
    }
}
