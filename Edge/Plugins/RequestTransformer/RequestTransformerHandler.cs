using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Primitives;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.RequestTransformer;

/// <summary>
/// Changes the request before it is forwarded. Headers are changed in place; the query string and path are
/// handed to the upstream request; a form or JSON body is read whole only when body operations are set.
/// </summary>
internal sealed class RequestTransformerHandler(RequestTransformation transformation) : IPluginHandler
{
    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        var request = context.HttpContext.Request;
        if (transformation.Method is { } method)
        {
            request.Method = method;
        }

        if (transformation.Uri is { } uri)
        {
            context.UpstreamPath = RequestPath.EscapeUnsafe(uri);
        }

        if (!transformation.Headers.IsEmpty)
        {
            transformation.Headers.ApplyTo(request.Headers);
        }

        if (!transformation.Query.IsEmpty)
        {
            var query = new ClientQuery((context.UpstreamQuery ?? request.QueryString).Value);
            transformation.Query.ApplyTo(query.Values);
            context.UpstreamQuery = query.ToQueryString();
        }

        if (!transformation.Body.IsEmpty)
        {
            await TransformBodyAsync(context);
        }

        return true;
    }

    private async Task TransformBodyAsync(ProxyContext context)
    {
        var request = context.HttpContext.Request;
        byte[]? body = null;
        if (request.HasFormContentType && request.ContentType?.Contains("multipart", StringComparison.OrdinalIgnoreCase) != true)
        {
            var form = (await request.ReadFormAsync(context.HttpContext.RequestAborted))
                .ToDictionary(f => f.Key, f => f.Value.Select(v => v ?? "").ToList(), StringComparer.Ordinal);
            transformation.Body.ApplyTo(form);
            var encoded = new QueryBuilder(form.SelectMany(f => f.Value.Select(v => KeyValuePair.Create(f.Key, v)))).ToQueryString().Value ?? "";
            body = Encoding.UTF8.GetBytes(encoded.TrimStart('?'));
        }
        else if (request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true)
        {
            request.EnableBuffering();
            try
            {
                if (await JsonNode.ParseAsync(request.Body, cancellationToken: context.HttpContext.RequestAborted) is JsonObject json)
                {
                    transformation.Body.ApplyTo(json);
                    body = Encoding.UTF8.GetBytes(json.ToJsonString());
                }
            }
            catch (JsonException)
            {
                // Not a JSON object after all: forwarded unchanged, as Kong does.
            }

            if (body is null)
            {
                request.Body.Position = 0;
            }
        }

        if (body is not null)
        {
            request.Body = new MemoryStream(body);
            request.ContentLength = body.Length;
        }
    }
}
