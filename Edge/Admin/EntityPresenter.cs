using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Admin.Authentication;
using Turnpike.Edge.Admin.Schemas;

namespace Turnpike.Edge.Admin;

/// <summary>
/// How an entity looks in an admin answer: its schema's JSON, plus what the answer needs from the rest of the table (a
/// certificate's <c>snis</c>, as Kong lists them), minus what the caller may not see (private keys, for a read-only
/// admin). Every entity an endpoint answers with goes through here, so no read path can forget the redaction.
/// </summary>
internal sealed class EntityPresenter(RouteTableClient table, EntitySchemas schemas)
{
    /// <param name="sniNames">A certificate's SNI names when the caller knows them (it just wrote them); else they are read.</param>
    public async Task<JsonObject> PresentAsync(HttpContext context, GatewayEntity entity, IReadOnlyCollection<string>? sniNames = null)
    {
        var schema = schemas.For(entity.Kind);
        var json = schema.Write(entity);
        if (entity is CertificateEntity)
        {
            json["snis"] = JsonFields.Array(sniNames ?? await SniNamesAsync(entity.Id));
        }

        if (!AdminCaller.MaySeeSecrets(context))
        {
            foreach (var field in schema.SecretFields)
            {
                json.Remove(field);
            }
        }

        return json;
    }

    public async Task<JsonArray> PresentAllAsync(HttpContext context, IEnumerable<GatewayEntity> entities)
    {
        var items = await Task.WhenAll(entities.Select(e => PresentAsync(context, e)));
        return new JsonArray([.. items]);
    }

    /// <summary>The names of a certificate's SNIs, sorted as Kong sorts them.</summary>
    public async Task<string[]> SniNamesAsync(Guid certificateId)
    {
        var names = new List<string>();
        await foreach (var sni in table.ListAll(new EntityQuery { Kind = EntityKind.Sni, CertificateId = certificateId, Size = ListQuery.MaxSize }))
        {
            names.Add(((SniEntity)sni).Name);
        }

        names.Sort(StringComparer.Ordinal);
        return [.. names];
    }
}
