using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.Jwt;

/// <summary>
/// Finds the token (query parameters, then cookies, then <c>Bearer</c> headers, as Kong looks), resolves the
/// credential its key claim names in the edge's consumer directory (no cluster call), checks the algorithm,
/// signature and registered claims, and identifies the consumer or answers 401 with Kong's message.
/// </summary>
internal sealed class JwtHandler(JwtOptions options, TimeProvider time) : IPluginHandler
{
    // Keyed by the credential record itself: a changed or deleted credential is a new (or no) record, so stale keys drop out with it.
    private readonly ConditionalWeakTable<JwtCredentialEntity, JwtSigningKey> _keys = [];
    private readonly ConditionalWeakTable<JwtCredentialEntity, JwtSigningKey>.CreateValueCallback _createKey =
        credential => JwtSigningKey.Create(credential, options.SecretIsBase64);

    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        var request = context.HttpContext.Request;
        if ((!options.RunOnPreflight && HttpMethods.IsOptions(request.Method)) || AnonymousConsumer.AlreadyAuthenticated(context, options.Anonymous))
        {
            return true;
        }

        var failure = Authenticate(context);
        if (failure is null)
        {
            return true;
        }

        if (options.Anonymous is { } anonymous)
        {
            return await AnonymousConsumer.AuthenticateAsync(context, anonymous);
        }

        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.ContentType = "application/json; charset=utf-8";
        await response.WriteAsync(failure.ToJsonString(), context.HttpContext.RequestAborted);
        return false;
    }

    /// <summary>Null when the request carries a valid token; otherwise the 401 body Kong sends.</summary>
    private JsonObject? Authenticate(ProxyContext context)
    {
        var (token, multiple) = FindToken(context);
        if (multiple)
        {
            return Message("Multiple tokens provided");
        }

        if (token is null)
        {
            return Message("Unauthorized");
        }

        if (JwtToken.Parse(token, out var problem) is not { } jwt)
        {
            return Message($"Bad token; {problem}");
        }

        var claimName = options.KeyClaimName;
        var key = jwt.Text(claimName);
        if (key is null)
        {
            return Message($"No mandatory '{claimName}' in claims");
        }

        if (key.Length == 0)
        {
            return Message($"Invalid '{claimName}' in claims");
        }

        if (context.Consumers.Credential(EntityKind.JwtCredential, key) is not JwtCredentialEntity credential)
        {
            return Message($"No credentials found for given '{claimName}'");
        }

        if (jwt.Algorithm != credential.Algorithm)
        {
            return Message("Invalid algorithm");
        }

        var signingKey = _keys.GetValue(credential, _createKey); // one delegate for the handler, not one per request
        if (!signingKey.IsUsable)
        {
            return Message("Invalid key/secret");
        }

        if (!signingKey.Verify(jwt))
        {
            return Message("Invalid signature");
        }

        if (ClaimErrors(jwt) is { } errors)
        {
            return errors;
        }

        if (context.Consumers.Consumer(credential.ConsumerId) is not { } consumer)
        {
            return Message($"Could not find consumer for '{claimName}={key}'");
        }

        // Kong names a JWT credential by its key.
        context.Authenticate(consumer, credential.Id, credential.Key);
        return null;
    }

    /// <summary>Kong's checks of <c>claims_to_verify</c> and <c>maximum_expiration</c>: one message per failing claim.</summary>
    private JsonObject? ClaimErrors(JwtToken jwt)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        JsonObject? errors = null;
        foreach (var claim in options.ClaimsToVerify)
        {
            var value = jwt.Number(claim);
            var problem = value is null ? "must be a number"
                : claim == "exp" && value <= now ? "token expired"
                : claim == "nbf" && value > now ? "token not valid yet"
                : null;
            if (problem is not null)
            {
                (errors ??= [])[claim] = problem;
            }
        }

        if (errors is null && options.MaximumExpiration > 0 && (jwt.Number("exp") is not { } exp || exp - now > options.MaximumExpiration))
        {
            errors = new JsonObject { ["exp"] = "exceeds maximum allowed expiration" };
        }

        return errors;
    }

    /// <summary>
    /// Every token the request carries, as Kong gathers them: all values of the query parameters, the cookies and
    /// the <c>Bearer</c> headers. More than one distinct token is refused ("Multiple tokens provided"): otherwise a
    /// valid token in one place would carry a forged one in another to the upstream.
    /// </summary>
    private (string? Token, bool Multiple) FindToken(ProxyContext context)
    {
        var request = context.HttpContext.Request;
        string? found = null;
        var multiple = false;
        foreach (var name in options.UriParamNames)
        {
            if (request.Query.TryGetValue(name, out var values))
            {
                context.MarkCredentialName(name);
                if (values.Count > 1)
                {
                    return (null, true); // a repeated parameter is refused even when the values agree
                }

                Add(values.ToString());
            }
        }

        foreach (var name in options.CookieNames)
        {
            if (request.Cookies.TryGetValue(name, out var cookie))
            {
                Add(cookie);
            }
        }

        foreach (var name in options.HeaderNames)
        {
            if (request.Headers.TryGetValue(name, out var header))
            {
                context.MarkCredentialName(name);
                if (header.Count > 1)
                {
                    return (null, true); // two Authorization headers are ambiguous whatever their schemes
                }

                var bearer = Bearer(header.ToString());
                if (bearer is null && found is not null && !string.IsNullOrWhiteSpace(header.ToString()))
                {
                    return (null, true); // another credential beside the token would reach the upstream unchecked
                }

                Add(bearer);
            }
        }

        return multiple ? (null, true) : (found, false);

        void Add(string? token)
        {
            if (string.IsNullOrEmpty(token) || token == found)
            {
                return;
            }

            multiple |= found is not null;
            found ??= token;
        }
    }

    /// <summary>The token of a <c>Bearer &lt;token&gt;</c> header value (the scheme's first letter in either case, as Kong matches it).</summary>
    private static string? Bearer(string? value)
    {
        var text = value.AsSpan().TrimStart();
        if (text.Length < 7 || (text[0] != 'B' && text[0] != 'b') || !text[1..6].SequenceEqual("earer") || !char.IsWhiteSpace(text[6]))
        {
            return null;
        }

        var token = text[7..].TrimStart();
        return token.Length == 0 ? null : token.ToString();
    }

    private static JsonObject Message(string message) => new() { ["message"] = message };
}
