using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.Routing;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.AwsLambda;

/// <summary>
/// One call of Lambda's Invoke API in place of the upstream: credentials (configured, STS-assumed or from the
/// environment), the SigV4-signed request, and the answer as Kong gives it — the function's payload and Lambda's
/// headers, or the proxy-integration response it describes; a function error as <c>unhandled_status</c>; Lambda
/// refusing as 500 and a timeout as 504, each failure one log line.
/// </summary>
internal sealed class LambdaInvocation(AwsLambdaServices aws, AwsLambdaOptions options, byte[] payload, ILogger logger) : IUpstreamExchange
{
    /// <summary>The largest answer read from Lambda: its synchronous response limit (6 MB) with room to spare.</summary>
    public const int MaxResponseBytes = 8 * 1024 * 1024;

    /// <summary>Headers of Lambda's own HTTP exchange that are not the client's to receive.</summary>
    private static readonly string[] Framing = ["Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Proxy-Connection", "Upgrade", "TE", "Trailer"];

    public async Task SendAsync(ProxyContext context, UpstreamCall upstream)
    {
        var http = context.HttpContext;
        var function = options.FunctionName;
        var region = options.Region ?? aws.Environment.Region ?? ArnRegion(function);
        if (region is null)
        {
            AwsLambdaLog.NotInvocable(logger, function, "no region specified (config.aws_region, AWS_REGION or a function ARN)");
            await ProxyErrors.WriteAsync(http, StatusCodes.Status500InternalServerError, ProxyErrors.Unexpected);
            return;
        }

        var awsClient = aws.Clients.For(options.ProxyUrl, options.Keepalive);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(options.Timeout);
        var endpoint = $"{(options.DisableHttps ? "http" : "https")}://{options.Host ?? $"lambda.{region}.amazonaws.com"}:{options.Port}";
        HttpResponseMessage response;
        try
        {
            var credentials = await CredentialsAsync(region, awsClient, timeout.Token);
            if (credentials is null)
            {
                AwsLambdaLog.NotInvocable(logger, function, "no AWS credentials (config.aws_key and aws_secret, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)");
                await ProxyErrors.WriteAsync(http, StatusCodes.Status500InternalServerError, ProxyErrors.Unexpected);
                return;
            }

            using var request = SignedRequest(endpoint, region, credentials);
            response = await upstream.SendAsync(request, timeout.Token, awsClient);
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            AwsLambdaLog.Unreachable(logger, endpoint, function, $"no answer within {options.Timeout} ms");
            await ProxyErrors.WriteAsync(http, StatusCodes.Status504GatewayTimeout, ProxyErrors.GatewayTimeout);
            return;
        }
        catch (Exception ex) when (ex is HttpRequestException or AwsCallException)
        {
            AwsLambdaLog.Unreachable(logger, endpoint, function, ex.Message);
            await ProxyErrors.WriteAsync(http, StatusCodes.Status500InternalServerError, ProxyErrors.Unexpected);
            return;
        }

        using (response)
        {
            byte[] content;
            try
            {
                content = await AwsResponses.ReadAsync(response, MaxResponseBytes, timeout.Token);
            }
            catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
            {
                AwsLambdaLog.Unreachable(logger, endpoint, function, $"no answer within {options.Timeout} ms");
                await ProxyErrors.WriteAsync(http, StatusCodes.Status504GatewayTimeout, ProxyErrors.GatewayTimeout);
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or AwsCallException or IOException)
            {
                AwsLambdaLog.Unreachable(logger, endpoint, function, ex.Message);
                await ProxyErrors.WriteAsync(http, StatusCodes.Status502BadGateway, ProxyErrors.BadGateway);
                return;
            }

            var status = (int)response.StatusCode;
            if (status >= 400)
            {
                // Lambda itself refused (signature, permissions, unknown function, throttling): Kong's 500, AWS's reason in the log.
                AwsLambdaLog.Refused(logger, function, status, AwsResponses.ErrorOf(System.Text.Encoding.UTF8.GetString(content)));
                await ProxyErrors.WriteAsync(http, StatusCodes.Status500InternalServerError, ProxyErrors.Unexpected);
                return;
            }

            var headers = new List<(string Name, string Value)>();
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                headers.AddRange(values.Select(value => (name, value)));
            }

            if (options.IsProxyIntegration)
            {
                if (LambdaProxyResponse.Parse(content, out var problem) is not { } proxied)
                {
                    AwsLambdaLog.BadProxyResponse(logger, function, problem!);
                    var error = JsonSerializer.SerializeToUtf8Bytes(new JsonObject
                    {
                        ["message"] = "Bad Gateway",
                        ["error"] = "could not JSON decode Lambda function response: " + problem,
                    });
                    await ProxyErrors.WriteJsonAsync(http, StatusCodes.Status502BadGateway, error);
                    return;
                }

                status = proxied.StatusCode;
                headers.RemoveAll(h => proxied.Headers.Any(p => string.Equals(p.Name, h.Name, StringComparison.OrdinalIgnoreCase)));
                headers.AddRange(proxied.Headers);
                content = proxied.Body;
            }
            else if (options.UnhandledStatus is { } unhandled
                && response.Headers.TryGetValues("X-Amz-Function-Error", out var functionError) && functionError.Contains("Unhandled"))
            {
                status = unhandled;
            }

            if (options.EmptyArraysMode == "legacy" && headers.Any(h => IsJson(h)))
            {
                content = LegacyEmptyArrays(content);
            }

            await AnswerAsync(http, status, headers, content);
        }
    }

    private async Task<AwsCredentials?> CredentialsAsync(string region, HttpMessageInvoker client, CancellationToken cancellationToken)
    {
        var baseCredentials = options.AwsKey is { } key && options.AwsSecret is { } secret ? new AwsCredentials(key, secret) : aws.Environment.Credentials;
        if (options.AssumeRoleArn is not { } role || baseCredentials is null)
        {
            return baseCredentials;
        }

        var sts = new Uri(options.StsEndpointUrl ?? $"https://sts.{region}.amazonaws.com/");
        return await aws.Sts.AssumeAsync(baseCredentials, role, options.RoleSessionName, sts, region, client, cancellationToken);
    }

    private HttpRequestMessage SignedRequest(string endpoint, string region, AwsCredentials credentials)
    {
        var path = $"/2015-03-31/functions/{Uri.EscapeDataString(options.FunctionName)}/invocations";
        var query = options.Qualifier is { } qualifier ? "Qualifier=" + Uri.EscapeDataString(qualifier) : "";
        var defaultPort = options.Port == (options.DisableHttps ? 80 : 443);
        var host = options.Host ?? $"lambda.{region}.amazonaws.com";
        var hostHeader = defaultPort ? host : host + ":" + options.Port.ToString(CultureInfo.InvariantCulture);
        var now = aws.Time.GetUtcNow();
        List<(string Name, string Value)> signed =
        [
            ("Host", hostHeader),
            ("Content-Type", "application/json"),
            ("X-Amz-Date", AwsSignatureV4.AmzDate(now)),
            ("X-Amz-Invocation-Type", options.InvocationType),
            ("X-Amz-Log-Type", options.LogType),
        ];
        if (credentials.SessionToken is { } token)
        {
            signed.Add(("X-Amz-Security-Token", token));
        }

        var signature = aws.Signer.Sign("POST", path, query, signed, payload, credentials, region, "lambda", now);
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint + path + (query.Length > 0 ? "?" + query : ""))
        {
            Content = new ByteArrayContent(payload),
            Version = System.Net.HttpVersion.Version11,
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.Host = hostHeader;
        foreach (var (name, value) in signed.Skip(2))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
        return request;
    }

    private static async Task AnswerAsync(HttpContext http, int status, List<(string Name, string Value)> headers, byte[] content)
    {
        var response = http.Response;
        response.StatusCode = status;
        foreach (var (name, value) in headers)
        {
            // The function chooses these (proxy integration): only well-formed names and values reach the client.
            if (TextRules.HeaderName(name) is not null || TextRules.Control(value) is not null
                || Framing.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            response.Headers.Append(name, value);
        }

        response.ContentLength = content.Length;
        if (!HttpMethods.IsHead(http.Request.Method))
        {
            await response.Body.WriteAsync(content, http.RequestAborted);
        }
    }

    /// <summary>The region of a function named by its ARN (<c>arn:aws:lambda:REGION:ACCOUNT:function:NAME</c>).</summary>
    internal static string? ArnRegion(string function) =>
        function.StartsWith("arn:", StringComparison.Ordinal) && function.Split(':') is { Length: >= 4 } parts && parts[3].Length > 0 ? parts[3] : null;

    private static bool IsJson((string Name, string Value) header) =>
        string.Equals(header.Name, "Content-Type", StringComparison.OrdinalIgnoreCase) && header.Value.Contains("application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Kong's <c>empty_arrays_mode: legacy</c>: an empty JSON array in the answer is sent as an empty object.</summary>
    internal static byte[] LegacyEmptyArrays(byte[] content)
    {
        if (content.AsSpan().IndexOf((byte)'[') < 0)
        {
            return content;
        }

        try
        {
            using var document = JsonDocument.Parse(content, new JsonDocumentOptions { MaxDepth = 64 });
            using var output = new MemoryStream(content.Length);
            using (var writer = new Utf8JsonWriter(output))
            {
                Write(writer, document.RootElement);
            }

            return output.ToArray();
        }
        catch (JsonException)
        {
            return content;
        }

        static void Write(Utf8JsonWriter writer, JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Array when element.GetArrayLength() == 0:
                    writer.WriteStartObject();
                    writer.WriteEndObject();
                    break;
                case JsonValueKind.Array:
                    writer.WriteStartArray();
                    foreach (var item in element.EnumerateArray())
                    {
                        Write(writer, item);
                    }

                    writer.WriteEndArray();
                    break;
                case JsonValueKind.Object:
                    writer.WriteStartObject();
                    foreach (var property in element.EnumerateObject())
                    {
                        writer.WritePropertyName(property.Name);
                        Write(writer, property.Value);
                    }

                    writer.WriteEndObject();
                    break;
                default:
                    element.WriteTo(writer);
                    break;
            }
        }
    }
}
