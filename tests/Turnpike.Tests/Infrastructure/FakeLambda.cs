using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// AWS Lambda's Invoke API and STS's AssumeRole on loopback, for the aws-lambda plugin's tests. Every request's
/// SigV4 signature is checked here with the secret of the key it names — by this file's own, deliberately plain
/// implementation, not the edge's — and a wrong one is refused as AWS refuses it (403, <c>InvalidSignatureException</c>).
/// Functions, by name: <c>echo</c> answers the event it was invoked with (and what the invocation said about
/// itself); <c>proxy</c> answers a proxy-integration response; <c>crash</c> fails as an unhandled function error;
/// <c>slow</c> answers after <see cref="SlowDelay"/>; <c>empty-array</c> answers <c>{"items":[]}</c>;
/// <c>bad-headers</c> answers a proxy-integration response whose headers carry CR LF and a bad name;
/// <c>huge</c> answers more than any Lambda may (10 MB); <c>not-json</c> answers text.
/// Event invocations answer 202 and dry runs 204, both empty, as Lambda does.
/// </summary>
internal sealed class FakeLambda : IAsyncDisposable
{
    public const string Region = "us-east-1";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (string Secret, string? Token)> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Invocation> _invocations = new();
    private int _stsCalls;

    private FakeLambda(WebApplication app, int port)
    {
        _app = app;
        Port = port;
        Url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
    }

    public int Port { get; }

    public string Url { get; }

    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(5);

    public int StsCalls => Volatile.Read(ref _stsCalls);

    public IReadOnlyCollection<Invocation> Invocations => [.. _invocations];

    /// <summary>Long-term credentials the fake accepts.</summary>
    public void AddKey(string accessKeyId, string secret) => _keys[accessKeyId] = (secret, null);

    public static async Task<FakeLambda> StartAsync()
    {
        var port = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var fake = new FakeLambda(app, port);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var isSts = request.Path == "/";
        if (Verify(context, body, isSts ? "sts" : "lambda") is { } problem)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.Headers["x-amzn-ErrorType"] = "InvalidSignatureException";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(new JsonObject { ["message"] = problem }.ToJsonString());
            return;
        }

        if (isSts)
        {
            await AssumeRoleAsync(context, Encoding.UTF8.GetString(body));
            return;
        }

        const string prefix = "/2015-03-31/functions/";
        var path = request.Path.Value ?? "";
        if (!path.StartsWith(prefix, StringComparison.Ordinal) || !path.EndsWith("/invocations", StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        // A function named by its ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME) is the same function as by its name.
        var function = path[prefix.Length..^"/invocations".Length];
        const string arnMarker = ":function:";
        function = function.Contains(arnMarker, StringComparison.Ordinal) ? function[(function.IndexOf(arnMarker, StringComparison.Ordinal) + arnMarker.Length)..] : function;
        var invocationType = request.Headers["X-Amz-Invocation-Type"].ToString();
        var accessKey = Authorization(request)!.Value.AccessKey;
        var invocation = new Invocation(function, invocationType, request.Headers["X-Amz-Log-Type"].ToString(), request.Query["Qualifier"].ToString(), accessKey, body);
        _invocations.Enqueue(invocation);

        var response = context.Response;
        response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        if (invocation.Qualifier.Length > 0)
        {
            response.Headers["X-Amz-Executed-Version"] = invocation.Qualifier;
        }

        switch (invocationType)
        {
            case "Event":
                response.StatusCode = StatusCodes.Status202Accepted;
                return;
            case "DryRun":
                response.StatusCode = StatusCodes.Status204NoContent;
                return;
        }

        if (invocation.LogType == "Tail")
        {
            response.Headers["X-Amz-Log-Result"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"START RequestId: fake\nEND function {function}\n"));
        }

        response.ContentType = "application/json";
        switch (function)
        {
            case "echo":
                await response.WriteAsync(new JsonObject { ["event"] = JsonNode.Parse(body), ["function"] = function }.ToJsonString());
                break;
            case "proxy":
                await response.WriteAsync(new JsonObject
                {
                    ["statusCode"] = 201,
                    ["headers"] = new JsonObject { ["Content-Type"] = "text/plain", ["X-Function"] = "proxy" },
                    ["multiValueHeaders"] = new JsonObject { ["X-Multi"] = new JsonArray("a", "b") },
                    ["body"] = Convert.ToBase64String("hello from lambda"u8),
                    ["isBase64Encoded"] = true,
                }.ToJsonString());
                break;
            case "crash":
                response.Headers["X-Amz-Function-Error"] = "Unhandled";
                await response.WriteAsync("""{"errorMessage":"boom","errorType":"Error"}""");
                break;
            case "slow":
                await Task.Delay(SlowDelay, context.RequestAborted);
                await response.WriteAsync("{}");
                break;
            case "empty-array":
                await response.WriteAsync("""{"items":[],"nested":{"list":[]},"full":[1]}""");
                break;
            case "bad-headers":
                await response.WriteAsync(new JsonObject
                {
                    ["statusCode"] = 200,
                    ["headers"] = new JsonObject { ["X-Injected"] = "a\r\nSet-Cookie: evil=1", ["Bad Name"] = "x", ["X-Good"] = "fine", ["Content-Length"] = "1" },
                    ["body"] = "ok",
                }.ToJsonString());
                break;
            case "huge":
                response.ContentType = "application/octet-stream";
                var chunk = new byte[64 * 1024];
                for (var i = 0; i < 160 && !context.RequestAborted.IsCancellationRequested; i++)
                {
                    await response.Body.WriteAsync(chunk, context.RequestAborted);
                }

                break;
            case "not-json":
                response.ContentType = "text/plain";
                await response.WriteAsync("this is not JSON");
                break;
            default:
                response.StatusCode = StatusCodes.Status404NotFound;
                await response.WriteAsync($$"""{"Message":"Function not found: {{function}}","Type":"User"}""");
                break;
        }
    }

    private async Task AssumeRoleAsync(HttpContext context, string form)
    {
        Interlocked.Increment(ref _stsCalls);
        var fields = form.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""));
        if (fields.GetValueOrDefault("Action") != "AssumeRole" || !fields.TryGetValue("RoleArn", out var role) || !fields.TryGetValue("RoleSessionName", out var session))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("<ErrorResponse><Error><Message>bad AssumeRole</Message></Error></ErrorResponse>");
            return;
        }

        var key = "ASIA" + RandomNumberGenerator.GetHexString(16, lowercase: false);
        var secret = RandomNumberGenerator.GetHexString(40);
        var token = "session-" + RandomNumberGenerator.GetHexString(32);
        _keys[key] = (secret, token);
        context.Response.ContentType = "text/xml";
        await context.Response.WriteAsync($"""
            <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleResult>
                <AssumedRoleUser><Arn>{role}/{session}</Arn></AssumedRoleUser>
                <Credentials>
                  <AccessKeyId>{key}</AccessKeyId>
                  <SecretAccessKey>{secret}</SecretAccessKey>
                  <SessionToken>{token}</SessionToken>
                  <Expiration>{DateTimeOffset.UtcNow.AddHours(1):yyyy-MM-ddTHH:mm:ssZ}</Expiration>
                </Credentials>
              </AssumeRoleResult>
            </AssumeRoleResponse>
            """);
    }

    /// <summary>Null when the request is signed right with a known key; otherwise AWS's kind of reason.</summary>
    private string? Verify(HttpContext context, byte[] body, string service)
    {
        var request = context.Request;
        if (Authorization(request) is not { } auth)
        {
            return "Missing Authentication Token";
        }

        if (!_keys.TryGetValue(auth.AccessKey, out var known))
        {
            return "The security token included in the request is invalid.";
        }

        if (known.Token is not null && request.Headers["X-Amz-Security-Token"].ToString() != known.Token)
        {
            return "The security token included in the request is invalid.";
        }

        var amzDate = request.Headers["X-Amz-Date"].ToString();
        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt)
            || (DateTimeOffset.UtcNow - signedAt).Duration() > TimeSpan.FromMinutes(15))
        {
            return "Signature expired or X-Amz-Date missing";
        }

        if (auth.Scope != $"{amzDate[..8]}/{Region}/{service}/aws4_request")
        {
            return $"Credential should be scoped to a valid region and service: {auth.Scope}";
        }

        if (!auth.SignedHeaders.Contains("host") || !auth.SignedHeaders.Contains("x-amz-date"))
        {
            return "host and x-amz-date must be signed";
        }

        // The canonical request, from the request exactly as it arrived.
        var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var question = raw.IndexOf('?', StringComparison.Ordinal);
        var rawPath = question < 0 ? raw : raw[..question];
        var canonicalPath = string.Join('/', rawPath.Split('/').Select(UriEncode));
        var canonicalQuery = question < 0 ? "" : string.Join('&', raw[(question + 1)..].Split('&')
            .Select(p => p.Split('=', 2))
            .Select(p => (Name: UriEncode(Uri.UnescapeDataString(p[0])), Value: UriEncode(Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""))))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + p.Value));
        var canonicalHeaders = new StringBuilder();
        foreach (var name in auth.SignedHeaders)
        {
            var value = name == "host" ? request.Host.Value : string.Join(',', request.Headers[name].Select(v => v!.Trim()));
            canonicalHeaders.Append(name).Append(':').Append(value).Append('\n');
        }

        var canonical = $"{request.Method}\n{canonicalPath}\n{canonicalQuery}\n{canonicalHeaders}\n{string.Join(';', auth.SignedHeaders)}\n{Convert.ToHexStringLower(SHA256.HashData(body))}";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{auth.Scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + known.Secret);
        foreach (var part in new[] { amzDate[..8], Region, service, "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(auth.Signature))
            ? null
            : "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.";
    }

    private static (string AccessKey, string Scope, string[] SignedHeaders, string Signature)? Authorization(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string algorithm = "AWS4-HMAC-SHA256 ";
        if (!header.StartsWith(algorithm, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = header[algorithm.Length..].Split(", ").Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("Credential", out var credential) || !parts.TryGetValue("SignedHeaders", out var signed) || !parts.TryGetValue("Signature", out var signature))
        {
            return null;
        }

        var slash = credential.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? null : (credential[..slash], credential[(slash + 1)..], signed.Split(';'), signature);
    }

    private static string UriEncode(string text)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append(CultureInfo.InvariantCulture, $"%{b:X2}");
            }
        }

        return builder.ToString();
    }

    /// <summary>One invocation as the fake received it (after its signature was accepted).</summary>
    public sealed record Invocation(string Function, string InvocationType, string LogType, string Qualifier, string AccessKey, byte[] Payload)
    {
        public JsonNode? Event => JsonNode.Parse(Payload);
    }
}
