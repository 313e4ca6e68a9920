using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Admin;

/// <summary>
/// Kong's CRUD endpoints for one kind of entity, flat (<c>/routes/{route}</c>) or nested under a parent
/// (<c>/services/{service}/routes/{route}</c>): list, POST 201, GET, PUT upsert 200, PATCH 200, DELETE 204.
/// </summary>
internal sealed class EntityEndpoints(AdminWriter writer, EntityPresenter presenter)
{
    public async Task ListAsync(HttpContext context, EntityKind kind, EntityScope? scope)
    {
        var (query, error) = ListQuery.Parse(context.Request.Query, kind);
        if (query is null)
        {
            await AdminJson.ErrorAsync(context, error!);
            return;
        }

        if (scope is not null)
        {
            if (await FindParentAsync(context, scope) is not { } parent)
            {
                await AdminJson.NotFoundAsync(context);
                return;
            }

            query = scope.Field switch
            {
                "service" => query with { ServiceId = parent.Id },
                "route" => query with { RouteId = parent.Id },
                "upstream" => query with { UpstreamId = parent.Id },
                "certificate" => query with { CertificateId = parent.Id },
                _ => query with { ConsumerId = parent.Id },
            };
        }

        var page = await writer.Table.List(query);
        var body = new JsonObject { ["data"] = await presenter.PresentAllAsync(context, page.Items) };
        if (page.NextAfter is { } next)
        {
            var offset = ListQuery.Encode(next);
            var extra = (context.Request.Query.TryGetValue("size", out var size) ? $"&size={size}" : "")
                + (context.Request.Query.TryGetValue("tags", out var tags) ? $"&tags={Uri.EscapeDataString(tags.ToString())}" : "");
            body["next"] = $"{context.Request.Path}?offset={offset}{extra}";
            body["offset"] = offset;
        }
        else
        {
            body["next"] = null;
        }

        await AdminJson.WriteAsync(context, StatusCodes.Status200OK, body);
    }

    public async Task CreateAsync(HttpContext context, EntityKind kind, EntityScope? scope)
    {
        if (await ReadBodyAsync(context) is not { } body)
        {
            return;
        }

        if (scope is not null)
        {
            if (await FindParentAsync(context, scope) is not { } parent)
            {
                await AdminJson.NotFoundAsync(context);
                return;
            }

            body.Json[scope.Field] = new JsonObject { ["id"] = parent.Id.ToString() };
        }

        await writer.SaveAsync(context, kind, body.Json, body.Coerce, StatusCodes.Status201Created, insertOnly: true);
    }

    public async Task GetAsync(HttpContext context, EntityKind kind, string key, EntityScope? scope)
    {
        var entity = await FindAsync(context, kind, key, scope);
        if (entity is null)
        {
            await AdminJson.NotFoundAsync(context);
            return;
        }

        await AdminJson.WriteAsync(context, StatusCodes.Status200OK, await presenter.PresentAsync(context, entity));
    }

    /// <summary>
    /// PUT: creates or replaces; a missing entity is created with the id or name given in the path, and a name in the
    /// path is the entity's name in both cases (a body's own name is overridden, as Kong's <c>upsert_by_name</c>).
    /// </summary>
    public async Task PutAsync(HttpContext context, EntityKind kind, string key, EntityScope? scope)
    {
        if (await ReadBodyAsync(context) is not { } body)
        {
            return;
        }

        var json = body.Json;
        GatewayEntity? parent = null;
        if (scope is not null && (parent = await FindParentAsync(context, scope)) is null)
        {
            await AdminJson.NotFoundAsync(context);
            return;
        }

        // Kong's upsert by endpoint key: a path key that is not a UUID is the entity's name (username, SNI name…)
        // whether the PUT creates or replaces, so a replacement keeps the name it was addressed by.
        var byName = !EntityIds.TryParse(key, out var id);
        if (byName)
        {
            json[writer.Schema(kind).NameField] = key;
        }

        var existing = await writer.Table.Find(kind, writer.Schema(kind).LookupKey(key, parent?.Id));
        if (existing is not null)
        {
            json["id"] = existing.Id.ToString();
        }
        else if (!byName)
        {
            json["id"] = id.ToString();
        }

        if (parent is not null)
        {
            json[scope!.Field] = new JsonObject { ["id"] = parent.Id.ToString() };
        }

        await writer.SaveAsync(context, kind, json, body.Coerce, StatusCodes.Status200OK, insertOnly: false);
    }

    /// <summary>PATCH: the stored entity with the given fields replaced (plugin <c>config</c> merged field by field).</summary>
    public async Task PatchAsync(HttpContext context, EntityKind kind, string key, EntityScope? scope)
    {
        if (await ReadBodyAsync(context) is not { } body)
        {
            return;
        }

        var existing = await FindAsync(context, kind, key, scope);
        if (existing is null)
        {
            await AdminJson.NotFoundAsync(context);
            return;
        }

        await writer.SaveAsync(context, kind, Patched(writer.Schema(kind), existing, body.Json), body.Coerce, StatusCodes.Status200OK, insertOnly: false);
    }

    public async Task DeleteAsync(HttpContext context, EntityKind kind, string key, EntityScope? scope)
    {
        var existing = await FindAsync(context, kind, key, scope);
        if (existing is null)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        var result = await writer.Table.Write(RouteTableWrite.Delete(new EntityRef(kind, existing.Id)));
        await AdminWriter.RespondAsync(context, result, StatusCodes.Status204NoContent, null);
    }

    public async Task<GatewayEntity?> FindAsync(HttpContext context, EntityKind kind, string key, EntityScope? scope)
    {
        if (scope is null)
        {
            return await writer.Table.Find(kind, key);
        }

        var parent = await FindParentAsync(context, scope);
        if (parent is null)
        {
            return null;
        }

        var entity = await writer.Table.Find(kind, writer.Schema(kind).LookupKey(key, parent.Id));
        return entity is not null && EntityScope.ParentOf(entity, scope.Field) == parent.Id ? entity : null;
    }

    public Task<GatewayEntity?> FindParentAsync(HttpContext context, EntityScope scope) =>
        writer.Table.Find(scope.ParentKind, (string)context.Request.RouteValues[scope.RouteParameter]!);

    public static async Task<AdminRequestBody?> ReadBodyAsync(HttpContext context)
    {
        var (body, error) = await AdminRequestBody.ReadAsync(context.Request);
        if (body is null)
        {
            await AdminJson.MessageAsync(
                context,
                error == "Unsupported Content-Type" ? StatusCodes.Status415UnsupportedMediaType : StatusCodes.Status400BadRequest,
                error!);
        }

        return body;
    }

    /// <summary>A PATCH's result, as Kong makes it: the stored entity as JSON with the body's fields over it (a plugin's <c>config</c> merged field by field), same id, new <c>updated_at</c>.</summary>
    public static JsonObject Patched(Schemas.IEntitySchema schema, GatewayEntity existing, JsonObject patch)
    {
        var merged = schema.Write(existing);
        merged.Remove("updated_at");
        Merge(merged, patch);
        merged["id"] = existing.Id.ToString();
        return merged;
    }

    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch)
        {
            if (name == "config" && value is JsonObject config && target[name] is JsonObject current)
            {
                Merge(current, config);
            }
            else
            {
                target[name] = value?.DeepClone();
            }
        }
    }
}
