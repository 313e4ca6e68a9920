using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Proxy;
using Turnpike.OAuth2;

namespace Turnpike.Edge.Plugins.OAuth2;

/// <summary>
/// One oauth2 instance on the request path, as Kong's <c>access.lua</c>: a path ending in <c>/oauth2/token</c> or
/// <c>/oauth2/authorize</c> is answered here (POST only, HTTPS only); any other request needs an access token, found in
/// this edge's cache (a token not seen before costs one shard call, then none).
/// </summary>
internal sealed partial class OAuth2Handler(
    OAuth2PluginOptions options,
    Guid instanceId,
    OAuth2TokenStore store,
    OAuth2TokenCache cache,
    OAuth2Options settings,
    TimeProvider time,
    ILogger<OAuth2Handler> logger) : IPluginHandler
{
    public const string InvalidToken = "The access token is invalid or has expired";
    public const string MissingToken = "The access token is missing";
    public const string InvalidClient = "Invalid client authentication";
    public const string InvalidRedirectUri = "Invalid redirect_uri that does not match with any redirect_uri created with the application";

    public async ValueTask<bool> OnRequestAsync(ProxyContext context)
    {
        var path = context.HttpContext.Request.Path.Value ?? "/";
        var endpoint = path.EndsWith('/') ? path[..^1] : path;
        try
        {
            if (endpoint.EndsWith("/oauth2/token", StringComparison.Ordinal))
            {
                await EndpointAsync(context, "token", IssueTokenAsync);
                return false;
            }

            if (endpoint.EndsWith("/oauth2/authorize", StringComparison.Ordinal))
            {
                await EndpointAsync(context, "authorization", AuthorizeAsync);
                return false;
            }

            if (options.Anonymous is { } anonymous)
            {
                if (context.CredentialId is not null)
                {
                    return true; // logical OR: an earlier auth plugin identified the request
                }

                return await AuthenticateAsync(context) is null || await AnonymousConsumer.AuthenticateAsync(context, anonymous);
            }

            if (await AuthenticateAsync(context) is not { } refusal)
            {
                return true;
            }

            await WriteAsync(context, StatusCodes.Status401Unauthorized, refusal.Body, ("WWW-Authenticate", refusal.WwwAuthenticate));
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // The cluster could not be asked (a shard unreachable): Kong's answer to a failed database call.
            ClusterCallFailed(logger, ex.GetType().Name, ex.Message);
            await ProxyErrors.WriteAsync(context.HttpContext, StatusCodes.Status500InternalServerError, ProxyErrors.Unexpected);
            return false;
        }
    }

    private async Task EndpointAsync(ProxyContext context, string name, Func<ProxyContext, OAuth2Parameters, Task> answer)
    {
        var request = context.HttpContext.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            var description = $"The HTTP method {request.Method} is invalid for the {name} endpoint";
            await WriteAsync(
                context,
                StatusCodes.Status405MethodNotAllowed,
                Error("invalid_method", description),
                ("WWW-Authenticate", OAuth2Rules.WwwAuthenticate(options.Realm, "invalid_method", description)));
            return;
        }

        if (await OAuth2Parameters.ReadAsync(request, settings.MaxParameterBodySize) is not { } parameters)
        {
            await ProxyErrors.WriteAsync(context.HttpContext, StatusCodes.Status413PayloadTooLarge, ProxyErrors.ForClientFault(StatusCodes.Status413PayloadTooLarge));
            return;
        }

        await answer(context, parameters);
    }

    // ---- /oauth2/token --------------------------------------------------------------------------------------------

    private async Task IssueTokenAsync(ProxyContext context, OAuth2Parameters parameters)
    {
        var request = context.HttpContext.Request;
        var state = parameters["state"];
        JsonObject? answer = null;
        OAuth2Error? error;
        var unauthorized = false;
        var (https, httpsProblem) = IsHttps(request);
        if (!https)
        {
            error = new("access_denied", httpsProblem ?? "You must use HTTPS");
        }
        else
        {
            var grant = parameters["grant_type"];
            error = grant is "authorization_code" or "refresh_token"
                || (options.EnableClientCredentials && grant == "client_credentials")
                || (options.EnablePasswordGrant && grant == "password")
                ? null
                : new("unsupported_grant_type", "Invalid grant_type");

            var (clientId, secret, fromHeader) = ClientCredentials(request, parameters);
            var client = clientId is { Length: > 0 } ? context.Consumers.Credential(EntityKind.OAuth2Credential, clientId) as OAuth2CredentialEntity : null;
            if (grant != "client_credentials")
            {
                if (client?.RedirectUris is { } uris)
                {
                    var redirect = parameters.Has("redirect_uri") ? parameters["redirect_uri"] : uris.FirstOrDefault();
                    if (redirect is null || !uris.Contains(redirect, StringComparer.Ordinal))
                    {
                        error = new("invalid_request", InvalidRedirectUri);
                    }
                }
                else
                {
                    error = new("invalid_client", InvalidClient);
                    unauthorized = fromHeader;
                }
            }

            if (client is not null)
            {
                if (client.ClientType == "confidential")
                {
                    if (!SecretMatches(client, secret))
                    {
                        error = new("invalid_client", InvalidClient);
                        unauthorized = fromHeader;
                    }
                }
                else if (!string.IsNullOrWhiteSpace(secret))
                {
                    error = new("invalid_request", "client_secret is disallowed for public clients");
                }
            }

            if (error is null)
            {
                (answer, error) = grant switch
                {
                    "authorization_code" => await ExchangeCodeAsync(context, parameters, client!, state),
                    "client_credentials" => await ClientCredentialsAsync(context, parameters, client, state),
                    "password" => await PasswordAsync(context, parameters, client!, state),
                    _ => await RefreshAsync(context, parameters, client!, state),
                };
            }
        }

        if (error is not null)
        {
            answer = Error(error, state);
        }

        var status = error is null ? StatusCodes.Status200OK : unauthorized ? StatusCodes.Status401Unauthorized : StatusCodes.Status400BadRequest;
        await WriteAsync(context, status, answer!, unauthorized ? ("WWW-Authenticate", "Basic realm=\"OAuth2.0\"") : default);
    }

    private async Task<(JsonObject?, OAuth2Error?)> ExchangeCodeAsync(ProxyContext context, OAuth2Parameters parameters, OAuth2CredentialEntity client, string? state)
    {
        var invalid = new OAuth2Error("invalid_request", "Invalid code");
        var code = parameters["code"] is { Length: > 0 } given ? await store.FindCodeAsync(given) : null;
        if (code is null || (ServiceIdForToken(context) is { } service && code.ServiceId != service) || code.CredentialId != client.Id)
        {
            return (null, invalid);
        }

        if (OAuth2Rules.RequiresPkce(options.Pkce, client.ClientType, code.ChallengeMethod is not null)
            && OAuth2Rules.PkceVerifier(parameters["code_verifier"], code.Challenge) is { } pkce)
        {
            return (null, pkce);
        }

        if (options.GlobalCredentials && code.PluginId is { } plugin && plugin != instanceId)
        {
            return (null, invalid);
        }

        // Removed before the token is made: of two exchanges of one code, only one finds it.
        if (!await store.RemoveCodeAsync(code.Code))
        {
            return (null, invalid);
        }

        return (await GenerateTokenAsync(context, client, code.AuthenticatedUserid, code.Scope, state, disableRefresh: false), null);
    }

    private async Task<(JsonObject?, OAuth2Error?)> ClientCredentialsAsync(ProxyContext context, OAuth2Parameters parameters, OAuth2CredentialEntity? client, string? state)
    {
        if (parameters.Has("authenticated_userid") && !ProvisionKeyMatches(parameters))
        {
            return (null, new("invalid_provision_key", "Invalid provision_key"));
        }

        if (client is null)
        {
            return (null, new("invalid_client", InvalidClient));
        }

        if (UserId(parameters) is (_, { } bad))
        {
            return (null, bad);
        }

        var (scope, problem) = OAuth2Rules.Scope(parameters, options.Scopes, options.MandatoryScope);
        return problem is not null
            ? (null, problem)
            : (await GenerateTokenAsync(context, client, parameters["authenticated_userid"], scope, state, disableRefresh: true), null);
    }

    private async Task<(JsonObject?, OAuth2Error?)> PasswordAsync(ProxyContext context, OAuth2Parameters parameters, OAuth2CredentialEntity client, string? state)
    {
        if (!ProvisionKeyMatches(parameters))
        {
            return (null, new("invalid_provision_key", "Invalid provision_key"));
        }

        var (user, bad) = UserId(parameters);
        if (bad is not null)
        {
            return (null, bad);
        }

        if (user is null)
        {
            return (null, new("invalid_authenticated_userid", "Missing authenticated_userid parameter"));
        }

        var (scope, problem) = OAuth2Rules.Scope(parameters, options.Scopes, options.MandatoryScope);
        return problem is not null ? (null, problem) : (await GenerateTokenAsync(context, client, user, scope, state, disableRefresh: false), null);
    }

    private async Task<(JsonObject?, OAuth2Error?)> RefreshAsync(ProxyContext context, OAuth2Parameters parameters, OAuth2CredentialEntity client, string? state)
    {
        var token = parameters["refresh_token"] is { Length: > 0 } refresh ? await store.FindByRefreshTokenAsync(refresh) : null;
        if (token is null || (ServiceIdForToken(context) is { } service && token.ServiceId != service))
        {
            return (null, new("invalid_request", "Invalid refresh_token"));
        }

        if (token.CredentialId != client.Id)
        {
            return (null, new("invalid_client", InvalidClient));
        }

        if (token.Scope is { } scopes && scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(s => options.Scopes?.Contains(s, StringComparer.Ordinal) != true))
        {
            return (null, new("invalid_scope", "Scope mismatch"));
        }

        var reuse = options.ReuseRefreshToken || options.PersistentRefreshToken;
        var answer = await GenerateTokenAsync(context, client, token.AuthenticatedUserid, token.Scope, state, disableRefresh: false, reuse ? token : null);
        if (!reuse)
        {
            await store.RemoveAsync(token);
        }

        return (answer, null);
    }

    /// <summary>Kong's <c>generate_token</c>: a new token (or, reusing a refresh token, the same record with a new access token), stored in the cluster before it is answered.</summary>
    private async Task<JsonObject> GenerateTokenAsync(ProxyContext context, OAuth2CredentialEntity client, string? user, string? scope, string? state, bool disableRefresh, OAuth2Token? existing = null)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var expiration = options.TokenExpiration;
        long? deleteAt = expiration > 0 && options.RefreshTokenTtl > 0 ? now + options.RefreshTokenTtl : null;
        OAuth2Token token;
        if (existing is not null)
        {
            token = existing with
            {
                AccessToken = OAuth2Shards.NewToken(OAuth2Shards.Of(existing.AccessToken)),
                ExpiresIn = expiration,
                CreatedAt = now,
                DeleteAt = deleteAt,
            };
            await store.SaveAsync(token, existing);
            cache.Put(token);
        }
        else
        {
            // Both tokens of a record map to one shard, so a refresh is one call.
            var shard = RandomNumberGenerator.GetInt32(OAuth2Shards.Count);
            token = new OAuth2Token
            {
                Id = Guid.NewGuid(),
                AccessToken = OAuth2Shards.NewToken(shard),
                RefreshToken = !disableRefresh && expiration > 0 ? OAuth2Shards.NewToken(shard) : null,
                CredentialId = client.Id,
                ServiceId = options.GlobalCredentials ? null : context.Service?.Entity.Id,
                AuthenticatedUserid = user,
                Scope = scope,
                ExpiresIn = expiration,
                CreatedAt = now,
                DeleteAt = deleteAt,
            };
            if (await store.IssueAsync(token) is { } conflict)
            {
                throw new InvalidOperationException($"A newly drawn {conflict} already exists"); // 190 random bits: never in practice
            }
        }

        var answer = new JsonObject { ["access_token"] = token.AccessToken, ["token_type"] = "bearer" };
        if (expiration > 0)
        {
            answer["expires_in"] = expiration;
        }

        if (token.RefreshToken is { } refreshToken)
        {
            answer["refresh_token"] = refreshToken;
        }

        if (state is not null)
        {
            answer["state"] = state;
        }

        return answer;
    }

    // ---- /oauth2/authorize ----------------------------------------------------------------------------------------

    private async Task AuthorizeAsync(ProxyContext context, OAuth2Parameters parameters)
    {
        var state = parameters["state"];
        JsonObject? answer = null;
        OAuth2Error? error = null;
        string? redirect = null;
        var implicitGrant = false;
        var (https, httpsProblem) = IsHttps(context.HttpContext.Request);
        if (!https)
        {
            error = new("access_denied", httpsProblem ?? "You must use HTTPS");
        }
        else if (!ProvisionKeyMatches(parameters))
        {
            error = new("invalid_provision_key", "Invalid provision_key");
        }
        else if (UserId(parameters) is (var user, var badUser) && (user is null || badUser is not null))
        {
            error = badUser ?? new("invalid_authenticated_userid", "Missing authenticated_userid parameter");
        }
        else
        {
            var responseType = parameters["response_type"];
            if (!((responseType == "code" && options.EnableAuthorizationCode) || (responseType == "token" && options.EnableImplicitGrant)))
            {
                error = new("unsupported_response_type", "Invalid response_type");
            }

            var (scope, scopeProblem) = OAuth2Rules.Scope(parameters, options.Scopes, options.MandatoryScope);
            error = scopeProblem ?? error;

            var client = parameters["client_id"] is { Length: > 0 } clientId ? context.Consumers.Credential(EntityKind.OAuth2Credential, clientId) as OAuth2CredentialEntity : null;
            if (client?.RedirectUris is not { } uris)
            {
                error = new("invalid_client", InvalidClient);
            }
            else
            {
                // Never back to a URI the application did not register: an unknown one gets the error at the first registered.
                redirect = parameters.Has("redirect_uri") ? parameters["redirect_uri"] : uris.FirstOrDefault();
                if (redirect is null || !uris.Contains(redirect, StringComparer.Ordinal))
                {
                    error = new("invalid_request", InvalidRedirectUri);
                    redirect = uris.FirstOrDefault();
                }
            }

            var (challenge, method, challengeProblem) = OAuth2Rules.CodeChallenge(parameters);
            if (challengeProblem is not null)
            {
                error = new("invalid_request", challengeProblem);
            }
            else if (client is not null && challenge is null && OAuth2Rules.RequiresPkce(options.Pkce, client.ClientType, false))
            {
                error = new("invalid_request", $"code_challenge is required for {client.ClientType} clients");
            }

            if (error is null)
            {
                if (responseType == "code")
                {
                    var code = new OAuth2Code
                    {
                        Code = OAuth2Shards.NewToken(),
                        CredentialId = client!.Id,
                        ServiceId = ServiceIdForToken(context),
                        PluginId = instanceId,
                        AuthenticatedUserid = user,
                        Scope = scope,
                        Challenge = challenge,
                        ChallengeMethod = challenge is null ? null : method,
                        ExpiresAt = time.GetUtcNow().Add(OAuth2Code.Lifetime).ToUnixTimeSeconds(),
                    };
                    await store.PutCodeAsync(code);
                    answer = new JsonObject { ["code"] = code.Code };
                }
                else
                {
                    answer = await GenerateTokenAsync(context, client!, user, scope, null, disableRefresh: true);
                    implicitGrant = true;
                }
            }
        }

        if (error is not null)
        {
            answer = Error(error, null);
        }

        if (state is not null)
        {
            answer!["state"] = state;
        }

        var status = error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        var body = redirect is null
            ? answer!
            : new JsonObject { ["redirect_uri"] = OAuth2Rules.RedirectWith(redirect, answer!.Select(p => KeyValuePair.Create(p.Key, p.Value!.ToString())), implicitGrant) };
        await WriteAsync(context, status, body);
    }

    // ---- access ---------------------------------------------------------------------------------------------------

    /// <summary>Null when the request carries a valid token (the consumer and the upstream headers set); otherwise Kong's refusal.</summary>
    private async ValueTask<(JsonObject Body, string WwwAuthenticate)?> AuthenticateAsync(ProxyContext context)
    {
        var accessToken = await FindAccessTokenAsync(context);
        if (accessToken is null or { Length: 0 })
        {
            return (Error("invalid_request", MissingToken), OAuth2Rules.WwwAuthenticate(options.Realm));
        }

        var invalid = (Error("invalid_token", InvalidToken), OAuth2Rules.WwwAuthenticate(options.Realm, "invalid_token", InvalidToken));
        var token = await cache.FindAsync(accessToken);
        if (token is null)
        {
            return invalid;
        }

        var service = context.Service?.Entity.Id;
        if (!options.GlobalCredentials && token.ServiceId is null)
        {
            return (Error("invalid_token", "The access token is global, but the current plugin is configured without 'global_credentials'"), invalid.Item2);
        }

        if ((token.ServiceId is { } issuedFor && issuedFor != service) || token.IsExpired(time.GetUtcNow().ToUnixTimeSeconds()))
        {
            return invalid;
        }

        // The application and its consumer from this edge's table: a deleted application's tokens let nothing in.
        if (context.Consumers.Credential(EntityKind.OAuth2Credential, token.CredentialId) is not OAuth2CredentialEntity credential || context.Consumers.Consumer(credential.ConsumerId) is not { } consumer)
        {
            return invalid;
        }

        context.Authenticate(consumer, credential.Id, credential.ClientId);
        if (token.Scope is { } scope)
        {
            context.SetUpstreamHeader("X-Authenticated-Scope", scope);
        }

        if (token.AuthenticatedUserid is { } user)
        {
            context.SetUpstreamHeader("X-Authenticated-Userid", user);
        }

        return null;
    }

    /// <summary>Kong's <c>parse_access_token</c>: the configured header (Bearer/Token scheme or the whole value), else an <c>access_token</c> parameter.</summary>
    private async ValueTask<string?> FindAccessTokenAsync(ProxyContext context)
    {
        var request = context.HttpContext.Request;
        if (request.Headers.TryGetValue(options.AuthHeaderName, out var header) && header.Count > 0)
        {
            context.MarkCredentialName(options.AuthHeaderName);
            if (options.HideCredentials)
            {
                context.HideHeader(options.AuthHeaderName);
            }

            return OAuth2Rules.BearerToken(header.ToString());
        }

        string? token = null;
        if (request.Query.TryGetValue("access_token", out var query))
        {
            token = query.Count == 1 ? query[0] : null;
            if (options.HideCredentials)
            {
                context.UpstreamQuery = QueryString.Create(request.Query.Where(q => q.Key != "access_token"));
            }
        }

        // A form or JSON body of known, bounded length may carry it too (read and kept for the upstream).
        if (request.ContentLength is > 0 and var length && length <= settings.MaxParameterBodySize
            && request.ContentType is { } type && (type.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) || type.Contains("json", StringComparison.OrdinalIgnoreCase))
            && await OAuth2Parameters.ReadAsync(request, settings.MaxParameterBodySize, keepBody: true) is { } parameters && parameters.Has("access_token"))
        {
            token = parameters["access_token"];
        }

        return token;
    }

    // ---- shared ---------------------------------------------------------------------------------------------------

    /// <summary>Kong's <c>check_https</c>: TLS to this edge, or with <c>accept_http_if_already_terminated</c> one <c>X-Forwarded-Proto: https</c>.</summary>
    private (bool Https, string? Problem) IsHttps(HttpRequest request)
    {
        if (request.IsHttps)
        {
            return (true, null);
        }

        if (!options.AcceptHttpIfAlreadyTerminated || !request.Headers.TryGetValue("X-Forwarded-Proto", out var proto) || proto.Count == 0)
        {
            return (false, null);
        }

        if (proto.Count > 1 || proto[0]!.Contains(','))
        {
            return (false, "Only one X-Forwarded-Proto header allowed");
        }

        return (string.Equals(proto[0], "https", StringComparison.OrdinalIgnoreCase), null);
    }

    /// <summary>Kong's <c>retrieve_client_credentials</c>: both as parameters, else a Basic header, else a client id alone.</summary>
    private (string? ClientId, string? Secret, bool FromHeader) ClientCredentials(HttpRequest request, OAuth2Parameters parameters)
    {
        if (parameters["client_id"] is { } id && parameters["client_secret"] is { } secret)
        {
            return (id, secret, false);
        }

        if (request.Headers.TryGetValue(options.AuthHeaderName, out var header) && header.Count > 0)
        {
            return OAuth2Rules.BasicCredentials(header.ToString()) is { } basic ? (basic.ClientId, basic.Secret, true) : (null, null, true);
        }

        return (parameters["client_id"], null, false);
    }

    private static bool SecretMatches(OAuth2CredentialEntity client, string? secret)
    {
        if (client.HashSecret && OAuth2Secret.IsHash(client.ClientSecret))
        {
            return OAuth2Secret.Verify(secret, client.ClientSecret);
        }

        return secret is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(client.ClientSecret));
    }

    private bool ProvisionKeyMatches(OAuth2Parameters parameters) =>
        parameters["provision_key"] is { } given && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(options.ProvisionKey));

    /// <summary>
    /// The <c>authenticated_userid</c> (null when absent or blank). It goes to the upstream in a header later, so text with
    /// control characters is refused here rather than stored (Kong stores it as given).
    /// </summary>
    private static (string? User, OAuth2Error? Problem) UserId(OAuth2Parameters parameters)
    {
        var user = parameters["authenticated_userid"];
        if (user is null || string.IsNullOrWhiteSpace(user))
        {
            return (null, null);
        }

        return user.Any(char.IsControl) || user.Length > 1024
            ? (null, new("invalid_request", "authenticated_userid must be at most 1024 characters without control characters"))
            : (user, null);
    }

    private Guid? ServiceIdForToken(ProxyContext context) => options.GlobalCredentials ? null : context.Service?.Entity.Id;

    private static JsonObject Error(string error, string description) => new() { ["error"] = error, ["error_description"] = description };

    private static JsonObject Error(OAuth2Error error, string? state)
    {
        var body = Error(error.Error, error.Description);
        if (state is not null)
        {
            body["state"] = state;
        }

        return body;
    }

    private static Task WriteAsync(ProxyContext context, int status, JsonObject body, (string Name, string Value) header = default)
    {
        var headers = context.HttpContext.Response.Headers;
        headers.CacheControl = "no-store";
        headers.Pragma = "no-cache";
        if (header.Name is not null)
        {
            headers[header.Name] = header.Value;
        }

        return ProxyErrors.WriteJsonAsync(context.HttpContext, status, Encoding.UTF8.GetBytes(body.ToJsonString()));
    }

    [LoggerMessage(EventId = 3402, Level = LogLevel.Error, Message = "oauth2: the cluster's token store could not be reached ({Exception}: {Reason}); answered 500")]
    private static partial void ClusterCallFailed(ILogger logger, string exception, string reason);
}
