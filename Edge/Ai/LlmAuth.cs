using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Ai;

/// <summary>
/// ai-proxy's <c>auth</c>: the provider credential the gateway adds, as a header, a query parameter or a body field.
/// It replaces whatever the client sent, unless <see cref="AllowOverride"/> lets a client's own credential through.
/// </summary>
internal sealed record LlmAuth(string? HeaderName, string? HeaderValue, string? ParamName, string? ParamValue, string ParamLocation, bool AllowOverride)
{
    public static readonly LlmAuth None = new(null, null, null, null, "query", false);

    public void ApplyHeader(HttpRequest client, HttpRequestMessage upstream)
    {
        if (HeaderName is null)
        {
            return;
        }

        var value = AllowOverride && client.Headers[HeaderName].ToString() is { Length: > 0 } own ? own : HeaderValue;
        Proxy.UpstreamRequestHeaders.SetOrRemove(upstream.Headers, HeaderName, value);
    }

    public Uri ApplyQuery(HttpRequest client, Uri endpoint)
    {
        if (ParamName is null || ParamLocation != "query")
        {
            return endpoint;
        }

        var value = AllowOverride && client.Query[ParamName].ToString() is { Length: > 0 } own ? own : ParamValue;
        var builder = new UriBuilder(endpoint);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(builder.Query);
        query[ParamName] = value;
        builder.Query = QueryString.Create(query).ToUriComponent().TrimStart('?');
        return builder.Uri;
    }

    public void ApplyBody(JsonObject clientBody, JsonObject upstreamBody)
    {
        if (ParamName is not null && ParamLocation == "body")
        {
            upstreamBody[ParamName] = AllowOverride && AiJson.String(clientBody[ParamName]) is { } own ? own : ParamValue;
        }
    }
}
