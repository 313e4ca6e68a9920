using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Turnpike.Edge.Admin;
using Turnpike.Edge.Admin.Authentication;
using Turnpike.Edge.Schema;
using Turnpike.OAuth2;

namespace Turnpike.Edge.Plugins.OAuth2;

/// <summary>
/// Kong's <c>/oauth2_tokens</c>: list, read (by id or access token), create, change and delete tokens in the cluster's
/// token shards. Whatever changes or deletes a token reaches every edge's cache through the revocation log.
/// </summary>
internal sealed class OAuth2TokenEndpoints(OAuth2TokenStore store, EntityEndpoints entities, TimeProvider time)
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var handlers = endpoints.ServiceProvider.GetRequiredService<OAuth2TokenEndpoints>();
        endpoints.MapGet("/oauth2_tokens", handlers.ListAsync);
        endpoints.MapPost("/oauth2_tokens", context => handlers.SaveAsync(context, null));
        endpoints.MapGet("/oauth2_tokens/{token}", handlers.GetAsync);
        endpoints.MapMethods("/oauth2_tokens/{token}", ["PATCH", "PUT"], handlers.ChangeAsync);
        endpoints.MapDelete("/oauth2_tokens/{token}", handlers.DeleteAsync);
    }

    /// <summary>A token in Kong's shape.</summary>
    public JsonObject Write(OAuth2Token token) => new()
    {
        ["id"] = token.Id.ToString(),
        ["created_at"] = token.CreatedAt,
        ["credential"] = new JsonObject { ["id"] = token.CredentialId.ToString() },
        ["service"] = token.ServiceId is { } service ? new JsonObject { ["id"] = service.ToString() } : null,
        ["token_type"] = token.TokenType,
        ["expires_in"] = token.ExpiresIn,
        ["access_token"] = token.AccessToken,
        ["refresh_token"] = token.RefreshToken,
        ["authenticated_userid"] = token.AuthenticatedUserid,
        ["scope"] = token.Scope,
        ["ttl"] = token.DeleteAt is { } at ? Math.Max(0, at - time.GetUtcNow().ToUnixTimeSeconds()) : null,
    };

    /// <summary>A token as the caller may see it: a read-only admin does not get the bearer secrets (access and refresh tokens).</summary>
    private JsonObject Present(HttpContext context, OAuth2Token token)
    {
        var json = Write(token);
        if (!AdminCaller.MaySeeSecrets(context))
        {
            json.Remove("access_token");
            json.Remove("refresh_token");
        }

        return json;
    }

    private async Task ListAsync(HttpContext context)
    {
        var (size, sizeError) = ListQuery.ParseSize(context.Request.Query);
        if (sizeError is not null)
        {
            await AdminJson.ErrorAsync(context, sizeError);
            return;
        }

        Guid? after = null;
        if (context.Request.Query.TryGetValue("offset", out var offset))
        {
            after = ListQuery.Decode(offset.ToString());
            if (after is null)
            {
                await AdminJson.ErrorAsync(context, new AdminError { Code = AdminError.InvalidOffsetCode, Name = "invalid offset", Message = $"'{offset}' is not a valid offset: bad base64 encoding" });
                return;
            }
        }

        var tokens = (await store.ListAsync()).Where(t => after is null || t.Id.CompareTo(after.Value) > 0).Take(size + 1).ToList();
        var page = tokens.Take(size).ToList();
        var body = new JsonObject { ["data"] = new JsonArray([.. page.Select(t => (JsonNode?)Present(context, t))]) };
        if (tokens.Count > size)
        {
            body["offset"] = ListQuery.Encode(page[^1].Id);
            body["next"] = $"/oauth2_tokens?offset={ListQuery.Encode(page[^1].Id)}";
        }
        else
        {
            body["next"] = null;
        }

        await AdminJson.WriteAsync(context, StatusCodes.Status200OK, body);
    }

    private async Task GetAsync(HttpContext context)
    {
        if (await FindAsync(context) is { } token)
        {
            await AdminJson.WriteAsync(context, StatusCodes.Status200OK, Present(context, token));
        }
        else
        {
            await AdminJson.NotFoundAsync(context);
        }
    }

    private async Task ChangeAsync(HttpContext context)
    {
        var existing = await FindAsync(context);
        if (existing is null && HttpMethods.IsPatch(context.Request.Method))
        {
            await AdminJson.NotFoundAsync(context);
            return;
        }

        await SaveAsync(context, existing);
    }

    private async Task DeleteAsync(HttpContext context)
    {
        if (await FindAsync(context) is { } token)
        {
            await store.RemoveAsync(token);
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task<OAuth2Token?> FindAsync(HttpContext context)
    {
        var key = (string)context.Request.RouteValues["token"]!;
        return Guid.TryParse(key, out var id) ? await store.FindByIdAsync(id) : await store.FindByAccessTokenAsync(key);
    }

    /// <summary>
    /// Creates (POST, PUT of an unknown key) or changes (PATCH: the given fields over the stored ones; PUT: the whole token)
    /// a token, validated as Kong's <c>oauth2_tokens</c> schema: <c>credential</c> and <c>expires_in</c> required.
    /// </summary>
    private async Task SaveAsync(HttpContext context, OAuth2Token? existing)
    {
        var (body, parseError) = await AdminRequestBody.ReadAsync(context.Request);
        if (body is null)
        {
            await AdminJson.MessageAsync(context, StatusCodes.Status400BadRequest, parseError!);
            return;
        }

        var json = body.Json;
        var patch = HttpMethods.IsPatch(context.Request.Method) && existing is not null;
        if (patch)
        {
            var merged = Write(existing!);
            merged.Remove("ttl");
            foreach (var (name, value) in json)
            {
                merged[name] = value?.DeepClone();
            }

            json = merged;
        }

        var errors = new FieldErrors();
        if (OAuth2TokenSchema.Read(json, errors, body.Coerce) is not { } given)
        {
            await AdminJson.ErrorAsync(context, errors.ToSchemaViolation());
            return;
        }

        if (await entities.FindAsync(context, EntityKind.OAuth2Credential, given.CredentialId.ToString(), null) is null)
        {
            await AdminJson.ErrorAsync(context, AdminError.ForeignKeyViolation("credential", given.CredentialId, EntityKind.OAuth2Credential));
            return;
        }

        if (given.ServiceId is { } service && await entities.FindAsync(context, EntityKind.Service, service.ToString(), null) is null)
        {
            await AdminJson.ErrorAsync(context, AdminError.ForeignKeyViolation("service", service, EntityKind.Service));
            return;
        }

        var pathKey = (string)(context.Request.RouteValues.GetValueOrDefault("token") ?? "");
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var token = new OAuth2Token
        {
            Id = existing?.Id ?? given.Id ?? (Guid.TryParse(pathKey, out var fromPath) ? fromPath : Guid.NewGuid()),
            AccessToken = given.AccessToken ?? (pathKey.Length > 0 && !Guid.TryParse(pathKey, out _) ? pathKey : OAuth2Shards.NewToken()),
            RefreshToken = given.RefreshToken,
            CredentialId = given.CredentialId,
            ServiceId = given.ServiceId,
            AuthenticatedUserid = given.AuthenticatedUserid,
            Scope = given.Scope,
            ExpiresIn = given.ExpiresIn,
            CreatedAt = given.CreatedAt ?? existing?.CreatedAt ?? now,
            DeleteAt = given.Ttl is { } seconds ? now + seconds : existing?.DeleteAt,
        };

        if (await store.SaveAsync(token, existing) is { } conflict)
        {
            await AdminJson.ErrorAsync(context, AdminError.UniqueViolation(conflict, conflict == "access_token" ? token.AccessToken : token.RefreshToken!));
            return;
        }

        await AdminJson.WriteAsync(context, existing is null ? StatusCodes.Status201Created : StatusCodes.Status200OK, Write(token));
    }
}
