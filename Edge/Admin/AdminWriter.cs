using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin;

/// <summary>
/// The steps every admin write shares: resolve foreign keys given by name, read the entity through its
/// schema, send one atomic write to the route table grain, and answer in Kong's shape.
/// </summary>
internal sealed class AdminWriter(RouteTableClient table, EntitySchemas schemas, EntityPresenter presenter)
{
    public RouteTableClient Table => table;

    public IEntitySchema Schema(EntityKind kind) => schemas.For(kind);

    /// <summary>Replaces <c>{"name": "x"}</c> foreign keys by <c>{"id": ...}</c>; an error when one names nothing.</summary>
    public async Task<AdminError?> ResolveForeignKeysAsync(IEntitySchema schema, JsonObject json)
    {
        foreach (var (field, target) in schema.ForeignKeys)
        {
            if (json[field] is JsonObject reference && reference["id"] is null && reference["name"] is JsonValue nameValue
                && nameValue.TryGetValue<string>(out var name))
            {
                var found = await Table.Find(target, name);
                if (found is null)
                {
                    return new AdminError
                    {
                        Code = AdminError.ForeignKeyViolationCode,
                        Name = "foreign key violation",
                        Message = $"the foreign key '{{name=\"{name}\"}}' does not reference an existing '{target.TableName()}' entity.",
                        Fields = new() { [field + ".name"] = name },
                    };
                }

                json[field] = new JsonObject { ["id"] = found.Id.ToString() };
            }
        }

        return null;
    }

    /// <summary>Reads, validates and stores one entity, then writes the response (<paramref name="status"/> on success).</summary>
    public async Task SaveAsync(HttpContext context, EntityKind kind, JsonObject json, bool coerce, int status, bool insertOnly)
    {
        var schema = schemas.For(kind);
        if (await ResolveForeignKeysAsync(schema, json) is { } fkError)
        {
            await AdminJson.ErrorAsync(context, fkError);
            return;
        }

        var errors = new FieldErrors();
        var entity = schema.Read(json, errors, coerce);
        if (entity is null)
        {
            await AdminJson.ErrorAsync(context, errors.ToSchemaViolation());
            return;
        }

        if (entity.Id == Guid.Empty)
        {
            entity = entity with { Id = Guid.NewGuid() };
        }

        var result = await Table.Write(new RouteTableWrite { Upserts = [entity], InsertOnly = insertOnly });
        await RespondAsync(context, result, status, result.Stored.Length > 0 ? await presenter.PresentAsync(context, result.Stored[0]) : null);
    }

    public static async Task RespondAsync(HttpContext context, RouteTableWriteResult result, int status, JsonNode? body)
    {
        context.Response.Headers[AdminJson.VersionHeader] = result.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (result.Error is { } error)
        {
            await AdminJson.ErrorAsync(context, error);
        }
        else if (status == StatusCodes.Status204NoContent)
        {
            context.Response.StatusCode = status;
        }
        else
        {
            await AdminJson.WriteAsync(context, status, body);
        }
    }
}
