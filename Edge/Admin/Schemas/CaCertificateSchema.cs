using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// Kong's <c>ca_certificates</c> schema: one certificate that is a CA (basic constraints say so) and has not expired —
/// a trust anchor that can no longer verify anything is refused, as Kong refuses it — and its <c>cert_digest</c>, the
/// lower-case hex SHA-256 of its DER bytes: computed when not given, checked when given, unique in the table.
/// </summary>
internal sealed class CaCertificateSchema(TimeProvider time) : IEntitySchema
{
    public CaCertificateSchema()
        : this(TimeProvider.System)
    {
    }

    public EntityKind Kind => EntityKind.CaCertificate;

    public string NameField => "id";

    public IReadOnlyList<(string Field, EntityKind Target)> ForeignKeys => [];

    public GatewayEntity? Read(JsonObject json, FieldErrors errors, bool coerce)
    {
        var r = new FieldReader(json, errors, coerce: coerce);
        var (id, createdAt) = CommonFields.Read(r);
        var cert = r.String("cert", required: true, multiLine: true);
        var givenDigest = r.String("cert_digest");
        var tags = r.Strings("tags", FieldRules.Tag);
        r.RejectUnknown();

        var digest = cert is null ? null : Check(r, cert);
        if (digest is not null && givenDigest is not null && !string.Equals(givenDigest, digest, StringComparison.OrdinalIgnoreCase))
        {
            r.Error("cert_digest", "does not match the certificate's SHA-256 digest");
        }

        return errors.Count > 0 ? null : new CaCertificateEntity
        {
            Id = id ?? Guid.Empty,
            CreatedAt = createdAt ?? 0,
            Cert = cert!,
            CertDigest = digest!,
            Tags = tags,
        };
    }

    public JsonObject Write(GatewayEntity entity)
    {
        var ca = (CaCertificateEntity)entity;
        var json = new JsonObject
        {
            ["id"] = ca.Id.ToString(),
            ["cert"] = ca.Cert,
            ["cert_digest"] = ca.CertDigest,
        };
        JsonFields.WriteCommon(json, ca);
        return json;
    }

    /// <summary>Kong's checks, in Kong's words; the digest when they pass.</summary>
    private string? Check(FieldReader r, string pem)
    {
        var certificates = CertificatePem.ReadCertificates(pem, out var problem);
        if (certificates is null)
        {
            r.Error("cert", problem!);
            return null;
        }

        try
        {
            if (certificates.Count > 1)
            {
                r.Error("@entity", "please submit only one certificate at a time");
                return null;
            }

            var certificate = certificates[0];
            if (certificate.NotAfter.ToUniversalTime() < time.GetUtcNow().UtcDateTime)
            {
                r.Error("@entity", "certificate expired, \"Not After\" time is in the past");
                return null;
            }

            if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
            {
                r.Error("@entity", "certificate does not appear to be a CA because it is missing the \"CA\" basic constraint");
                return null;
            }

            return CertificatePem.Digest(certificate);
        }
        finally
        {
            CertificatePem.Dispose(certificates);
        }
    }
}
