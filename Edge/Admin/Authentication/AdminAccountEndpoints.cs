using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Authentication;

/// <summary>
/// <c>/admins</c>: Kong's CRUD shapes, where the clear token appears in exactly two answers: the one that creates
/// an admin (POST, or a PUT of a new one) and <c>POST /admins/{admin}/token</c>, which replaces it. Reads, lists and
/// deletes are the generic entity endpoints; the admin schema never writes a token or its hash.
/// </summary>
internal sealed class AdminAccountEndpoints(AdminWriter writer, AdminSchema schema)
{
    private const string RotateHint = "cannot be changed here; use POST /admins/{admin}/token";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var handlers = endpoints.ServiceProvider.GetRequiredService<AdminAccountEndpoints>();
        var entities = endpoints.ServiceProvider.GetRequiredService<EntityEndpoints>();
        endpoints.MapMethods("/admins", ["GET", "POST"], context => context.Request.Method == "GET"
            ? entities.ListAsync(context, EntityKind.Admin, null)
            : handlers.CreateAsync(context))
            .WithMetadata(RequiresSuperAdmin.Instance);
        endpoints.MapMethods("/admins/{admin}", ["GET", "PUT", "PATCH", "DELETE"], context =>
        {
            var key = (string)context.Request.RouteValues["admin"]!;
            return context.Request.Method switch
            {
                "GET" => entities.GetAsync(context, EntityKind.Admin, key, null),
                "PUT" => handlers.PutAsync(context, key),
                "PATCH" => handlers.PatchAsync(context, key),
                _ => entities.DeleteAsync(context, EntityKind.Admin, key, null),
            };
        }).WithMetadata(RequiresSuperAdmin.Instance);
        endpoints.MapPost("/admins/{admin}/token", context => handlers.RotateAsync(context, (string)context.Request.RouteValues["admin"]!))
            .WithMetadata(RequiresSuperAdmin.Instance);
    }

    public async Task CreateAsync(HttpContext context)
    {
        if (await EntityEndpoints.ReadBodyAsync(context) is not { } body)
        {
            return;
        }

        var token = GivenToken(body.Json) ?? NewToken(body.Json);
        await SaveAsync(context, body.Json, body.Coerce, StatusCodes.Status201Created, insertOnly: true, token);
    }

    /// <summary>PUT: replaces an admin's username, role and tags (its token stays), or creates the admin named in the path.</summary>
    public async Task PutAsync(HttpContext context, string key)
    {
        if (await EntityEndpoints.ReadBodyAsync(context) is not { } body)
        {
            return;
        }

        var json = body.Json;
        var existing = await writer.Table.Find(EntityKind.Admin, key);
        if (!EntityIds.TryParse(key, out var id))
        {
            json["username"] ??= key;
        }

        if (existing is not null)
        {
            if (json["token"] is not null)
            {
                await AdminJson.ErrorAsync(context, AdminError.SchemaViolation("token", RotateHint));
                return;
            }

            json["id"] = existing.Id.ToString();
            await SaveAsync(context, json, body.Coerce, StatusCodes.Status200OK, insertOnly: false, revealToken: null);
            return;
        }

        if (id != Guid.Empty)
        {
            json["id"] = id.ToString();
        }

        var token = GivenToken(json) ?? NewToken(json);
        await SaveAsync(context, json, body.Coerce, StatusCodes.Status200OK, insertOnly: false, token);
    }

    /// <summary>PATCH: the stored admin with the given fields replaced; the token stays (the route table keeps the stored hash).</summary>
    public async Task PatchAsync(HttpContext context, string key)
    {
        if (await EntityEndpoints.ReadBodyAsync(context) is not { } body)
        {
            return;
        }

        if (await writer.Table.Find(EntityKind.Admin, key) is not AdminEntity existing)
        {
            await AdminJson.NotFoundAsync(context);
            return;
        }

        if (body.Json["token"] is not null)
        {
            await AdminJson.ErrorAsync(context, AdminError.SchemaViolation("token", RotateHint));
            return;
        }

        var merged = EntityEndpoints.Patched(schema, existing, body.Json);
        await SaveAsync(context, merged, body.Coerce, StatusCodes.Status200OK, insertOnly: false, revealToken: null);
    }

    /// <summary>
    /// <c>POST /admins/{admin}/token</c>: a new token (the body's <c>token</c>, else a generated one), answered once.
    /// The old one stops working on each edge as soon as it applies this table version.
    /// </summary>
    public async Task RotateAsync(HttpContext context, string key)
    {
        if (await EntityEndpoints.ReadBodyAsync(context) is not { } body)
        {
            return;
        }

        if (await writer.Table.Find(EntityKind.Admin, key) is not AdminEntity existing)
        {
            await AdminJson.NotFoundAsync(context);
            return;
        }

        var errors = new FieldErrors();
        var reader = new FieldReader(body.Json, errors, coerce: body.Coerce);
        var token = reader.String("token") ?? AdminToken.Generate();
        if (AdminToken.CheckNew(token) is { } problem)
        {
            reader.Error("token", problem);
        }

        reader.RejectUnknown();
        if (errors.Count > 0)
        {
            await AdminJson.ErrorAsync(context, errors.ToSchemaViolation());
            return;
        }

        var (salt, hash) = AdminToken.Protect(token);
        var result = await writer.Table.Write(RouteTableWrite.Upsert(existing with { TokenSalt = salt, TokenHash = hash }));
        await AdminWriter.RespondAsync(context, result, StatusCodes.Status200OK, WithToken(result, token));
    }

    private async Task SaveAsync(HttpContext context, JsonObject json, bool coerce, int status, bool insertOnly, string? revealToken)
    {
        var errors = new FieldErrors();
        if (schema.Read(json, errors, coerce) is not { } entity)
        {
            await AdminJson.ErrorAsync(context, errors.ToSchemaViolation());
            return;
        }

        if (entity.Id == Guid.Empty)
        {
            entity = entity with { Id = Guid.NewGuid() };
        }

        var result = await writer.Table.Write(new RouteTableWrite { Upserts = [entity], InsertOnly = insertOnly });
        await AdminWriter.RespondAsync(context, result, status, revealToken is null ? Written(result) : WithToken(result, revealToken));
    }

    private JsonObject? Written(RouteTableWriteResult result) => result.Stored.Length > 0 ? schema.Write(result.Stored[0]) : null;

    private JsonObject? WithToken(RouteTableWriteResult result, string token)
    {
        var json = Written(result);
        if (json is not null)
        {
            json["token"] = token;
        }

        return json;
    }

    /// <summary>The token the body gives, when it is a string (anything else is left for the schema to refuse).</summary>
    private static string? GivenToken(JsonObject json) =>
        json["token"] is JsonValue value && value.TryGetValue<string>(out var token) ? token : null;

    private static string NewToken(JsonObject json)
    {
        var token = AdminToken.Generate();
        json["token"] ??= token;
        return token;
    }
}
