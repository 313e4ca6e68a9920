using System.Text.Json;
using System.Text.Json.Nodes;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.AwsLambda;

/// <summary>
/// A function's answer in API Gateway's proxy-integration shape (<c>statusCode</c>, <c>headers</c>,
/// <c>multiValueHeaders</c>, <c>body</c>, <c>isBase64Encoded</c>), checked as Kong checks it, with Kong's reasons.
/// </summary>
internal sealed record LambdaProxyResponse(int StatusCode, List<(string Name, string Value)> Headers, byte[] Body)
{
    public static LambdaProxyResponse? Parse(byte[] content, out string? error)
    {
        JsonObject response;
        try
        {
            if (JsonNode.Parse(content, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) is not JsonObject parsed)
            {
                error = "proxy response must be json format";
                return null;
            }

            response = parsed;
        }
        catch (JsonException ex)
        {
            error = ex.Message;
            return null;
        }

        if (Status(response["statusCode"]) is not { } status)
        {
            error = "statusCode validation failed";
            return null;
        }

        if (response["headers"] is { } headersNode && headersNode is not JsonObject)
        {
            error = "headers must be a table";
            return null;
        }

        if (response["body"] is { } bodyNode && !(bodyNode is JsonValue v && v.TryGetValue<string>(out _)))
        {
            error = "body must be a string";
            return null;
        }

        if (response["isBase64Encoded"] is { } flag && !(flag is JsonValue b && b.TryGetValue<bool>(out _)))
        {
            error = "isBase64Encoded must be a boolean";
            return null;
        }

        var text = response["body"]?.GetValue<string>() ?? "";
        byte[] body;
        if (response["isBase64Encoded"]?.GetValue<bool>() == true)
        {
            try
            {
                body = Convert.FromBase64String(text);
            }
            catch (FormatException)
            {
                error = "body is not valid base64";
                return null;
            }
        }
        else
        {
            body = System.Text.Encoding.UTF8.GetBytes(text);
        }

        // multiValueHeaders replaces a header of the same name in headers, as Kong merges them.
        var byName = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in response["headers"] as JsonObject ?? [])
        {
            byName[name] = JsonHeaderValues.Of(value);
        }

        foreach (var (name, value) in response["multiValueHeaders"] as JsonObject ?? [])
        {
            byName[name] = JsonHeaderValues.Of(value);
        }

        var headers = new List<(string, string)>();
        foreach (var (name, values) in byName)
        {
            headers.AddRange(values.Select(value => (name, value)));
        }

        error = null;
        return new LambdaProxyResponse(status, headers, body);
    }

    private static int? Status(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }

        double number;
        if (value.TryGetValue<double>(out var d))
        {
            number = d;
        }
        else if (value.TryGetValue<string>(out var s) && double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            number = parsed;
        }
        else
        {
            return null;
        }

        return number is >= 100 and <= 599 && number == Math.Floor(number) ? (int)number : null;
    }
}
