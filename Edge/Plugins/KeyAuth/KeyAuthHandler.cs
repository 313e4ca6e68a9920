using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.WebUtilities;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.KeyAuth;

/// <summary>
/// Finds the API key (for each configured name: header, then query, then body, as Kong looks), resolves it in
/// the edge's consumer directory (no cluster call), and either identifies the consumer or answers 401.
/// </summary>
internal sealed class KeyAuthHandler(KeyAuthOptions options) : IPluginHandler
{
    public const string NoKey = "No API key found in request";
    public const string InvalidKey = "Invalid authentication credentials";
    public const string DuplicateKey = "Duplicate API key found";

    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        var request = context.HttpContext.Request;
        if ((!options.RunOnPreflight && HttpMethods.IsOptions(request.Method)) || AnonymousConsumer.AlreadyAuthenticated(context, options.Anonymous))
        {
            return true;
        }

        var (key, duplicate) = await FindKeyAsync(context);
        if (duplicate)
        {
            return await RejectAsync(context, DuplicateKey);
        }

        if (key is not null && context.Consumers.Credential(EntityKind.KeyAuthCredential, key) is KeyAuthCredentialEntity credential && context.Consumers.Consumer(credential.ConsumerId) is { } consumer)
        {
            context.Authenticate(consumer, credential.Id, credential.Id.ToString());
            return true;
        }

        if (options.Anonymous is { } anonymous)
        {
            return await AnonymousConsumer.AuthenticateAsync(context, anonymous);
        }

        return await RejectAsync(context, key is null ? NoKey : InvalidKey);
    }

    private async ValueTask<bool> RejectAsync(ProxyContext context, string message)
    {
        context.HttpContext.Response.Headers.WWWAuthenticate = $"Key realm=\"{options.Realm}\"";
        await ProxyErrors.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, message);
        return false;
    }

    private async ValueTask<(string? Key, bool Duplicate)> FindKeyAsync(ProxyContext context)
    {
        var request = context.HttpContext.Request;
        foreach (var name in options.KeyNames)
        {
            if (options.InHeader && request.Headers.TryGetValue(name, out var header))
            {
                context.MarkCredentialName(name);
                if (header.Count > 1 || (options.InQuery && request.Query.ContainsKey(name)))
                {
                    return (null, true); // two keys, even one in the header and one in the query: which one counts is ambiguous
                }

                if (options.HideCredentials)
                {
                    context.HideHeader(name);
                }

                return (header.ToString(), false);
            }

            if (options.InQuery && request.Query.TryGetValue(name, out var query))
            {
                context.MarkCredentialName(name);
                if (query.Count > 1)
                {
                    return (null, true);
                }

                if (options.HideCredentials)
                {
                    context.UpstreamQuery = QueryString.Create(request.Query.Where(q => q.Key != name));
                }

                return (query.ToString(), false);
            }

            if (options.InBody && await FromBodyAsync(context, name) is { } fromBody)
            {
                return (fromBody, false);
            }
        }

        return (null, false);
    }

    /// <summary>The key from a form or JSON body; the body is buffered so the upstream still gets it (without the key when hidden).</summary>
    private async ValueTask<string?> FromBodyAsync(ProxyContext context, string name)
    {
        var request = context.HttpContext.Request;
        if (request.ContentLength is 0 || request.ContentType is null)
        {
            return null;
        }

        request.EnableBuffering();
        try
        {
            if (request.HasFormContentType && !request.ContentType.Contains("multipart", StringComparison.OrdinalIgnoreCase))
            {
                var form = await request.ReadFormAsync(context.HttpContext.RequestAborted);
                if (!form.TryGetValue(name, out var value) || value.Count != 1)
                {
                    return null;
                }

                if (options.HideCredentials)
                {
                    var remaining = new QueryBuilder(form.Where(f => f.Key != name).SelectMany(f => f.Value.Select(v => KeyValuePair.Create(f.Key, v ?? ""))));
                    ReplaceBody(request, Encoding.UTF8.GetBytes(remaining.ToQueryString().Value?.TrimStart('?') ?? ""));
                }

                return value.ToString();
            }

            if (request.ContentType.Contains("json", StringComparison.OrdinalIgnoreCase))
            {
                var json = await JsonNode.ParseAsync(request.Body, cancellationToken: context.HttpContext.RequestAborted) as JsonObject;
                if (json?[name] is not JsonValue value || !value.TryGetValue<string>(out var key))
                {
                    return null;
                }

                if (options.HideCredentials)
                {
                    json.Remove(name);
                    ReplaceBody(request, Encoding.UTF8.GetBytes(json.ToJsonString()));
                }

                return key;
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
        finally
        {
            if (request.Body.CanSeek)
            {
                request.Body.Position = 0;
            }
        }
    }

    private static void ReplaceBody(HttpRequest request, byte[] body)
    {
        request.Body = new MemoryStream(body);
        request.ContentLength = body.Length;
    }
}
