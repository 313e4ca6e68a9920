using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// Kong's <c>snis</c> schema: a server name (exact, <c>*.example.com</c> or <c>example.*</c>), unique across the table,
/// and the certificate served for it. Names are case-insensitive, so they are kept in lower case: two spellings of one
/// name cannot both be stored and shadow each other.
/// </summary>
internal sealed class SniSchema : EntitySchema<SniEntity>
{
    private static readonly ConfigField<string?> Name = Field.String("name", required: true).Check(v => FieldRules.ServerName(v!)).Described("unique", true);
    private static readonly ConfigField<Guid?> Certificate = Field.Foreign("certificate", EntityKind.Certificate.TableName(), required: true);

    public SniSchema()
        : base([Name, Certificate])
    {
    }

    public override EntityKind Kind => EntityKind.Sni;

    public override string NameField => "name";

    public override JsonObject Write(GatewayEntity entity)
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

    protected override SniEntity Bind(ConfigValues values) => new()
    {
        Name = values.Get(Name)!.ToLowerInvariant(),
        CertificateId = values.Get(Certificate) ?? Guid.Empty,
    };
}
