using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Certificates;

/// <summary>
/// <c>/certificates</c> and <c>/certificates/{id|sni}</c> in Kong's shapes. What the generic endpoints cannot do: a
/// certificate is found by one of its SNI names too, and a body's <c>snis</c> creates, keeps or deletes the
/// certificate's SNI entities in the same table write as the certificate (POST and PUT replace the list, an absent
/// list meaning none; PATCH replaces it only when given). Listing and the nested <c>/certificates/{c}/snis</c> are the
/// generic endpoints.
/// </summary>
internal sealed class CertificateEndpoints(AdminWriter writer, EntityPresenter presenter, CertificateSchema schema)
{
    private const string SniNotFound = "SNI not found";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var handlers = endpoints.ServiceProvider.GetRequiredService<CertificateEndpoints>();
        var entities = endpoints.ServiceProvider.GetRequiredService<EntityEndpoints>();
        endpoints.MapMethods("/certificates", ["GET", "POST"], context => context.Request.Method == "GET"
            ? entities.ListAsync(context, EntityKind.Certificate, null)
            : handlers.CreateAsync(context));
        endpoints.MapMethods("/certificates/{certificate}", ["GET", "PUT", "PATCH", "DELETE"], context =>
        {
            var key = (string)context.Request.RouteValues["certificate"]!;
            return context.Request.Method switch
            {
                "GET" => handlers.GetAsync(context, key),
                "PUT" => handlers.PutAsync(context, key),
                "PATCH" => handlers.PatchAsync(context, key),
                _ => handlers.DeleteAsync(context, key),
            };
        });
    }

    public async Task CreateAsync(HttpContext context)
    {
        if (await EntityEndpoints.ReadBodyAsync(context) is not { } body)
        {
            return;
        }

        await SaveAsync(context, body.Json, body.Coerce, StatusCodes.Status201Created, insertOnly: true);
    }

    public async Task GetAsync(HttpContext context, string key)
    {
        if (await writer.Table.Find(EntityKind.Certificate, key) is { } certificate)
        {
            await AdminJson.WriteAsync(context, StatusCodes.Status200OK, await presenter.PresentAsync(context, certificate));
        }
        else
        {
            await NotFoundAsync(context, key);
        }
    }

    /// <summary>
    /// PUT: creates or replaces the certificate named by id or by SNI. A new one named by an SNI gets a new id. The SNI
    /// in the path stays among its names (Kong adds it to a given list; we add it to an absent one too, rather than
    /// delete the very name the request was addressed to).
    /// </summary>
    public async Task PutAsync(HttpContext context, string key)
    {
        if (await EntityEndpoints.ReadBodyAsync(context) is not { } body)
        {
            return;
        }

        var json = body.Json;
        var byName = !EntityIds.TryParse(key, out var id);
        var existing = await writer.Table.Find(EntityKind.Certificate, key);
        json["id"] = (existing?.Id ?? (byName ? Guid.NewGuid() : id)).ToString();
        if (byName)
        {
            json["snis"] = WithName(json["snis"], key, body.Coerce);
        }
        else if (!json.ContainsKey("snis"))
        {
            json["snis"] = null; // a PUT replaces everything: no list means no SNIs
        }

        await SaveAsync(context, json, body.Coerce, StatusCodes.Status200OK, insertOnly: false);
    }

    /// <summary>PATCH: the stored certificate with the given fields replaced; its SNIs replaced only when <c>snis</c> is given.</summary>
    public async Task PatchAsync(HttpContext context, string key)
    {
        if (await EntityEndpoints.ReadBodyAsync(context) is not { } body)
        {
            return;
        }

        if (await writer.Table.Find(EntityKind.Certificate, key) is not { } existing)
        {
            await NotFoundAsync(context, key);
            return;
        }

        var merged = EntityEndpoints.Patched(schema, existing, body.Json);
        await SaveAsync(context, merged, body.Coerce, StatusCodes.Status200OK, insertOnly: false);
    }

    /// <summary>DELETE: the certificate and, in the same write, its SNIs (refused while a service presents it upstream).</summary>
    public async Task DeleteAsync(HttpContext context, string key)
    {
        if (await writer.Table.Find(EntityKind.Certificate, key) is not { } existing)
        {
            if (EntityIds.TryParse(key, out _))
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
            }
            else
            {
                await NotFoundAsync(context, key);
            }

            return;
        }

        var result = await writer.Table.Write(RouteTableWrite.Delete(new EntityRef(EntityKind.Certificate, existing.Id)));
        await AdminWriter.RespondAsync(context, result, StatusCodes.Status204NoContent, null);
    }

    /// <summary>One write: the certificate, the SNIs its <c>snis</c> adds, and the deletion of those it no longer lists.</summary>
    private async Task SaveAsync(HttpContext context, JsonObject json, bool coerce, int status, bool insertOnly)
    {
        var errors = new FieldErrors();
        if (schema.Read(json, errors, coerce) is not CertificateEntity read)
        {
            await AdminJson.ErrorAsync(context, errors.ToSchemaViolation());
            return;
        }

        var certificate = read.Id == Guid.Empty ? read with { Id = Guid.NewGuid() } : read;
        var names = CertificateSchema.SniNames(json, coerce);
        var upserts = new List<GatewayEntity> { certificate };
        var deletes = new List<EntityRef>();
        if (names is not null)
        {
            var current = new Dictionary<string, Guid>(StringComparer.Ordinal);
            if (!insertOnly)
            {
                await foreach (var sni in writer.Table.ListAll(new EntityQuery { Kind = EntityKind.Sni, CertificateId = certificate.Id, Size = ListQuery.MaxSize }))
                {
                    current[((SniEntity)sni).Name] = sni.Id;
                }
            }

            upserts.AddRange(names.Where(n => !current.ContainsKey(n)).Select(n => new SniEntity { Id = Guid.NewGuid(), Name = n, CertificateId = certificate.Id }));
            deletes.AddRange(current.Where(c => !names.Contains(c.Key)).Select(c => new EntityRef(EntityKind.Sni, c.Value)));
        }

        var result = await writer.Table.Write(new RouteTableWrite { Upserts = [.. upserts], Deletes = [.. deletes], InsertOnly = insertOnly });
        if (result.Error is { Code: AdminError.UniqueViolationCode, Fields: { } fields } && fields.TryGetValue("name", out var taken))
        {
            // The grain enforced it atomically; the words are Kong's for a name the shorthand asked for.
            var holder = await writer.Table.Find(EntityKind.Sni, taken) as SniEntity;
            result = result with
            {
                Error = AdminError.SchemaViolation("snis", $"{taken} already associated with existing certificate '{holder?.CertificateId}'"),
            };
        }

        await AdminWriter.RespondAsync(
            context,
            result,
            status,
            result.Succeeded ? await presenter.PresentAsync(context, result.Stored[0], names ?? await presenter.SniNamesAsync(certificate.Id)) : null);
    }

    /// <summary>The <c>snis</c> of a PUT by name, with that name added unless already there.</summary>
    private static JsonNode WithName(JsonNode? snis, string name, bool coerce)
    {
        switch (snis)
        {
            case JsonArray list:
                if (!list.Any(n => n is JsonValue v && v.TryGetValue<string>(out var s) && string.Equals(s, name, StringComparison.OrdinalIgnoreCase)))
                {
                    list.Add(name);
                }

                return list;
            case JsonValue single when coerce && single.TryGetValue<string>(out var one):
                return string.Equals(one, name, StringComparison.OrdinalIgnoreCase) ? new JsonArray(one) : new JsonArray(one, name);
            case null:
                return new JsonArray(name);
            default:
                return snis; // not a list: the schema says so
        }
    }

    private static Task NotFoundAsync(HttpContext context, string key) => EntityIds.TryParse(key, out _)
        ? AdminJson.NotFoundAsync(context)
        : AdminJson.MessageAsync(context, StatusCodes.Status404NotFound, SniNotFound);
}
