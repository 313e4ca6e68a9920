using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.HmacAuth;

/// <summary>
/// Checks an hmac-auth request as Kong does, in Kong's order and with its answers: no credential header 401
/// <c>Unauthorized</c>; no <c>X-Date</c>/<c>Date</c> within <c>clock_skew</c> 401 (so a captured request cannot be
/// replayed once the skew has passed); a malformed credential, an unsigned enforced header, an algorithm not allowed
/// or an unknown username 401 <c>HMAC signature cannot be verified</c>; a wrong signature or body digest 401
/// <c>HMAC signature does not match</c>. No cluster call: the credential comes from the edge's consumer directory.
/// </summary>
internal sealed class HmacAuthHandler(HmacAuthOptions options, TimeProvider time) : IPluginHandler
{
    public const string Unauthorized = "Unauthorized";
    public const string NoDate = "HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication";
    public const string CannotVerify = "HMAC signature cannot be verified";
    public const string DoesNotMatch = "HMAC signature does not match";

    private static readonly string[] DateFormats = ["r", "dddd, dd-MMM-yy HH:mm:ss 'GMT'", "ddd MMM d HH:mm:ss yyyy"];

    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        if (AnonymousConsumer.AlreadyAuthenticated(context, options.Anonymous))
        {
            return true;
        }

        var problem = await AuthenticateAsync(context);
        if (problem is null)
        {
            return true;
        }

        if (options.Anonymous is { } anonymous)
        {
            return await AnonymousConsumer.AuthenticateAsync(context, anonymous);
        }

        context.HttpContext.Response.Headers.WWWAuthenticate = options.Realm is { } realm ? $"hmac realm=\"{realm}\"" : "hmac";
        await ProxyErrors.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, problem);
        return false;
    }

    /// <summary>Null when the request is authenticated (the consumer set); otherwise Kong's message.</summary>
    private async ValueTask<string?> AuthenticateAsync(ProxyContext context)
    {
        var request = context.HttpContext.Request;
        var authorization = First(request.Headers, "Authorization");
        var proxyAuthorization = First(request.Headers, "Proxy-Authorization");
        if (authorization is null && proxyAuthorization is null)
        {
            return Unauthorized;
        }

        if (!WithinSkew(First(request.Headers, "X-Date")) && !WithinSkew(First(request.Headers, "Date")))
        {
            return NoDate;
        }

        // Proxy-Authorization first, as Kong looks; hide_credentials removes the header the credential came from.
        var parameters = HmacAuthorization.Parse(proxyAuthorization);
        if (parameters is not null)
        {
            Hide(context, "Proxy-Authorization");
        }
        else if ((parameters = HmacAuthorization.Parse(authorization)) is not null)
        {
            Hide(context, "Authorization");
        }

        if (parameters is null
            || options.EnforceHeaders.Any(enforced => !parameters.Headers.Contains(enforced))
            || !options.Algorithms.Contains(parameters.Algorithm, StringComparer.Ordinal))
        {
            return CannotVerify;
        }

        if (context.Consumers.Credential(EntityKind.HmacAuthCredential, parameters.Username) is not HmacAuthCredentialEntity credential || context.Consumers.Consumer(credential.ConsumerId) is not { } consumer)
        {
            return CannotVerify;
        }

        if (!SignatureMatches(context, parameters, credential.Secret))
        {
            return DoesNotMatch;
        }

        if (options.ValidateRequestBody && !await DigestMatchesAsync(context.HttpContext))
        {
            return DoesNotMatch;
        }

        context.Authenticate(consumer, credential.Id, credential.Username);
        return null;
    }

    private void Hide(ProxyContext context, string header)
    {
        if (options.HideCredentials)
        {
            context.HideHeader(header);
        }
    }

    private bool WithinSkew(string? date)
    {
        if (date is null || !DateTimeOffset.TryParseExact(date, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var sent))
        {
            return false;
        }

        return Math.Abs((time.GetUtcNow() - sent).TotalSeconds) <= options.ClockSkew;
    }

    private static bool SignatureMatches(ProxyContext context, HmacAuthorization parameters, string secret)
    {
        var http = context.HttpContext;
        var request = http.Request;
        var headers = request.Headers;
        var version = request.Protocol switch
        {
            "HTTP/2" => "2.0",
            "HTTP/3" => "3.0",
            "HTTP/1.0" => "1.0",
            _ => "1.1",
        };

        // The path and query as the client sent them; Kong also still accepts the decoded path alone (its deprecated form).
        var rawTarget = http.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw && raw[0] == '/' ? raw : request.Path.ToUriComponent() + request.QueryString.Value;
        if (HmacSignature.Matches(parameters.Algorithm, secret, HmacSignature.SigningString(parameters.Headers, n => First(headers, n), request.Method, rawTarget, version), parameters.Signature))
        {
            return true;
        }

        var decodedPath = request.Path.Value ?? "/";
        return decodedPath != rawTarget
            && HmacSignature.Matches(parameters.Algorithm, secret, HmacSignature.SigningString(parameters.Headers, n => First(headers, n), request.Method, decodedPath, version), parameters.Signature);
    }

    /// <summary>Kong's <c>Digest: SHA-256=base64(sha256(body))</c>; with no Digest header only an empty body passes. The body stays for the upstream.</summary>
    private static async ValueTask<bool> DigestMatchesAsync(HttpContext http)
    {
        var request = http.Request;
        request.EnableBuffering(); // memory up to a small threshold, then a temporary file: a large body does not grow the heap
        byte[] digest;
        using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            var buffer = new byte[16 * 1024];
            int read;
            long total = 0;
            while ((read = await request.Body.ReadAsync(buffer, http.RequestAborted)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                total += read;
            }

            request.Body.Position = 0;
            digest = sha.GetHashAndReset();
            if (First(request.Headers, "Digest") is not { } received)
            {
                return total == 0;
            }

            var expected = Encoding.ASCII.GetBytes("SHA-256=" + Convert.ToBase64String(digest));
            return CryptographicOperations.FixedTimeEquals(expected, Encoding.UTF8.GetBytes(received));
        }
    }

    private static string? First(IHeaderDictionary headers, string name) => headers.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;
}
