using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.AwsLambda;

/// <summary>
/// The JSON a function is invoked with, in Kong's three shapes: the API Gateway (REST, version 1.0) proxy event with
/// <c>awsgateway_compatible</c>; the <c>request_*</c> fields the <c>forward_request_*</c> switches choose; otherwise
/// Kong's original one, the query and body arguments merged into one object.
/// </summary>
internal static class LambdaEvent
{
    /// <summary>Bodies of these types go as text even when <c>base64_encode_body</c> is on (Kong's raw types).</summary>
    private static readonly string[] RawContentTypes = ["text/plain", "text/html", "application/xml", "text/xml", "application/soap+xml"];

    public static async Task<byte[]> BuildAsync(ProxyContext context, AwsLambdaOptions options, byte[] body, DateTimeOffset now)
    {
        var http = context.HttpContext;
        JsonObject payload;
        if (options.AwsgatewayCompatible)
        {
            payload = ApiGatewayEvent(context, options, body, now);
        }
        else if (options.ForwardRequestMethod || options.ForwardRequestUri || options.ForwardRequestHeaders || options.ForwardRequestBody)
        {
            payload = [];
            if (options.ForwardRequestMethod)
            {
                payload["request_method"] = http.Request.Method;
            }

            if (options.ForwardRequestHeaders)
            {
                payload["request_headers"] = Headers(http.Request.Headers, multi: null);
            }

            if (options.ForwardRequestUri)
            {
                payload["request_uri"] = http.Request.Path.ToUriComponent() + http.Request.QueryString.Value;
                payload["request_uri_args"] = QueryArgs(http.Request.QueryString.Value);
            }

            if (options.ForwardRequestBody)
            {
                var (args, known) = await BodyArgsAsync(http.Request.ContentType, body);
                var contentType = MediaType(http.Request.ContentType);
                if (!known && options.Base64EncodeBody && !RawContentTypes.Contains(contentType, StringComparer.OrdinalIgnoreCase))
                {
                    // A type Kong cannot parse: base64, in case it is binary.
                    payload["request_body"] = Convert.ToBase64String(body);
                    payload["request_body_base64"] = true;
                }
                else
                {
                    payload["request_body"] = Encoding.UTF8.GetString(body);
                }

                payload["request_body_args"] = args;
            }
        }
        else
        {
            payload = QueryArgs(http.Request.QueryString.Value);
            foreach (var (name, value) in (await BodyArgsAsync(http.Request.ContentType, body)).Args)
            {
                payload[name] = value?.DeepClone();
            }
        }

        return JsonSerializer.SerializeToUtf8Bytes(payload);
    }

    /// <summary>API Gateway's REST proxy event (payload version 1.0), as Kong's serializer fills it.</summary>
    private static JsonObject ApiGatewayEvent(ProxyContext context, AwsLambdaOptions options, byte[] body, DateTimeOffset now)
    {
        var http = context.HttpContext;
        var request = http.Request;
        var multiHeaders = new JsonObject();
        var headers = Headers(request.Headers, multiHeaders);
        var multiQuery = new JsonObject();
        var query = QueryArgs(request.QueryString.Value, multiQuery);
        var base64 = body.Length > 0 && options.Base64EncodeBody;
        var path = context.UpstreamPath;
        var host = request.Host.Host;
        var start = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds() - (long)System.Diagnostics.Stopwatch.GetElapsedTime(context.StartTimestamp).TotalMilliseconds);
        return new JsonObject
        {
            ["version"] = "1.0",
            ["resource"] = path,
            ["path"] = path,
            ["httpMethod"] = request.Method,
            ["headers"] = headers,
            ["multiValueHeaders"] = multiHeaders,
            ["pathParameters"] = new JsonObject(),
            ["queryStringParameters"] = query,
            ["multiValueQueryStringParameters"] = multiQuery,
            ["body"] = base64 ? Convert.ToBase64String(body) : Encoding.UTF8.GetString(body),
            ["isBase64Encoded"] = base64,
            ["requestContext"] = new JsonObject
            {
                ["path"] = path,
                ["protocol"] = request.Protocol,
                ["httpMethod"] = request.Method,
                ["domainName"] = host,
                ["domainPrefix"] = host.Split('.')[0],
                ["identity"] = new JsonObject
                {
                    ["sourceIp"] = ConnectionText.Of(http).RemoteAddress,
                    ["userAgent"] = request.Headers.UserAgent.Count > 0 ? request.Headers.UserAgent[0] : null,
                },
                ["requestId"] = http.TraceIdentifier,
                ["requestTime"] = start.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture),
                ["requestTimeEpoch"] = start.ToUnixTimeMilliseconds(),
                ["resourcePath"] = path,
            },
        };
    }

    /// <summary>Header names lower-cased as Kong reads them; a repeated header's values as an array (or in <paramref name="multi"/>, the API Gateway way).</summary>
    private static JsonObject Headers(IHeaderDictionary headers, JsonObject? multi)
    {
        var result = new JsonObject();
        foreach (var (name, values) in headers)
        {
            var key = name.ToLowerInvariant();
            if (multi is not null)
            {
                result[key] = values.Count > 0 ? values[0] : "";
                multi[key] = new JsonArray([.. values.Select(v => (JsonNode?)v)]);
            }
            else
            {
                result[key] = values.Count == 1 ? values[0] : new JsonArray([.. values.Select(v => (JsonNode?)v)]);
            }
        }

        return result;
    }

    /// <summary>
    /// Query arguments as Kong reads them: a bare name is <c>true</c>, a repeated one an array (or, with
    /// <paramref name="multi"/>, the first value here and all of them there).
    /// </summary>
    internal static JsonObject QueryArgs(string? query, JsonObject? multi = null)
    {
        var result = new JsonObject();
        if (string.IsNullOrEmpty(query))
        {
            return result;
        }

        var all = new Dictionary<string, List<JsonNode?>>(StringComparer.Ordinal);
        foreach (var part in query.TrimStart('?').Split('&'))
        {
            if (part.Length == 0)
            {
                continue;
            }

            var equals = part.IndexOf('=');
            var name = Decode(equals < 0 ? part : part[..equals]);
            JsonNode? value = equals < 0 ? JsonValue.Create(true) : JsonValue.Create(Decode(part[(equals + 1)..]));
            if (!all.TryGetValue(name, out var values))
            {
                all[name] = values = [];
            }

            values.Add(value);
        }

        foreach (var (name, values) in all)
        {
            if (multi is not null)
            {
                result[name] = values[0];
                multi[name] = new JsonArray([.. values.Select(v => v?.DeepClone())]);
            }
            else
            {
                result[name] = values.Count == 1 ? values[0] : new JsonArray([.. values]);
            }
        }

        return result;
    }

    /// <summary>Kong's <c>kong.request.get_body()</c>: a form or JSON object's arguments; <c>Known</c> false for any other type.</summary>
    internal static async Task<(JsonObject Args, bool Known)> BodyArgsAsync(string? contentType, byte[] body)
    {
        var type = MediaType(contentType);
        if (type.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return (QueryArgs(Encoding.UTF8.GetString(body).Replace('+', ' ')), true);
        }

        if (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return (body.Length > 0 && JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) is JsonObject json ? json : [], true);
            }
            catch (JsonException)
            {
                return ([], true);
            }
        }

        if (type.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return (await MultipartArgsAsync(contentType!, body), true);
        }

        return ([], false);
    }

    private static async Task<JsonObject> MultipartArgsAsync(string contentType, byte[] body)
    {
        var result = new JsonObject();
        var boundary = MediaTypeHeaderValue.TryParse(contentType, out var media) ? HeaderUtilities.RemoveQuotes(media.Boundary).Value : null;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200)
        {
            return result;
        }

        try
        {
            var reader = new MultipartReader(boundary, new MemoryStream(body)) { HeadersCountLimit = 16, HeadersLengthLimit = 8 * 1024 };
            for (var section = await reader.ReadNextSectionAsync(); section is not null; section = await reader.ReadNextSectionAsync())
            {
                if (section.GetContentDispositionHeader() is { } disposition && disposition.DispositionType.Equals("form-data") && disposition.Name.Value is { } name)
                {
                    using var text = new StreamReader(section.Body, Encoding.UTF8);
                    result[HeaderUtilities.RemoveQuotes(name).Value ?? name] = await text.ReadToEndAsync();
                }
            }
        }
        catch (IOException)
        {
            // A malformed multipart body: the arguments read so far.
        }
        catch (InvalidDataException)
        {
        }

        return result;
    }

    private static string MediaType(string? contentType)
    {
        if (contentType is null)
        {
            return "";
        }

        var semicolon = contentType.IndexOf(';');
        return (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
    }

    private static string Decode(string text)
    {
        try
        {
            return Uri.UnescapeDataString(text);
        }
        catch (UriFormatException)
        {
            return text;
        }
    }
}
