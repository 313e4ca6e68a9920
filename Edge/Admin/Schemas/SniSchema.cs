using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// Kong's <c>snis</c> schema: a server name (exact, <c>*.example.com</c> or <c>example.*</c>), unique across the table,
/// and the certificate served for it. Names are case-insensitive, so they are kept in lower case: two spellings of one
/// name cannot both be stored and shadow each other.
/// </summary>
internal sealed class SniSchema : IEntitySchema
{
    public EntityKind Kind => EntityKind.Sni;

    public string NameField => "name";

    public IReadOnlyList<(string Field, EntityKind Target)> ForeignKeys => [("certificate", EntityKind.Certificate)];

    public GatewayEntity? Read(JsonObject json, FieldErrors errors, bool coerce)
    {
        var r = new FieldReader(json, errors, coerce: coerce);
        var (id, createdAt) = CommonFields.Read(r);
        var name = r.String("name", required: true);
        if (name is not null && FieldRules.ServerName(name) is { } problem)
        {
            r.Error("name", problem);
        }

        var certificateId = r.ForeignKey("certificate");
        if (certificateId is null && !r.Has("certificate"))
        {
            r.Error("certificate", "required field missing");
        }

        var tags = r.Strings("tags", FieldRules.Tag);
        r.RejectUnknown();
        return errors.Count > 0 ? null : new SniEntity
        {
            Id = id ?? Guid.Empty,
            CreatedAt = createdAt ?? 0,
            Name = name!.ToLowerInvariant(),
            CertificateId = certificateId ?? Guid.Empty,
            Tags = tags,
        };
    }

    public JsonObject Write(GatewayEntity entity)
    {
        var sni = (SniEntity)entity;
        var json = new JsonObject
        {
            ["id"] = sni.Id.ToString(),
            ["name"] = sni.Name,
            ["certificate"] = JsonFields.Reference(sni.CertificateId),
        };
        JsonFields.WriteCommon(json, sni);
        return json;
    }
}
