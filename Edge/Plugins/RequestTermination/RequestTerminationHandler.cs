using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.RequestTermination;

internal sealed class RequestTerminationHandler(int status, string? message, string? contentType, string? body, bool echo, string? trigger) : IPluginHandler
{
    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        var request = context.HttpContext.Request;
        if (trigger is not null && !request.Headers.ContainsKey(trigger) && !request.Query.ContainsKey(trigger))
        {
            return true;
        }

        var response = context.HttpContext.Response;
        response.StatusCode = status;
        if (echo)
        {
            response.ContentType = "application/json; charset=utf-8";
            await JsonSerializer.SerializeAsync(response.Body, new
            {
                message = message,
                request = new
                {
                    method = request.Method,
                    uri = request.Path.Value,
                    query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
                    headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
                    route = context.Route?.Entity.Id,
                },
            }, ProxyErrors.JsonOptions);
        }
        else if (body is not null)
        {
            response.ContentType = contentType ?? "application/json; charset=utf-8";
            await response.WriteAsync(body);
        }
        else
        {
            await ProxyErrors.WriteAsync(context.HttpContext, status, message ?? ReasonPhrases.GetReasonPhrase(status));
        }

        return false;
    }
}
