using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// Kong's <c>ca_certificates</c> schema: one certificate that is a CA (basic constraints say so) and has not expired —
/// a trust anchor that can no longer verify anything is refused, as Kong refuses it — and its <c>cert_digest</c>, the
/// lower-case hex SHA-256 of its DER bytes: always computed (a client's value is overwritten, as Kong does), unique in the table.
/// </summary>
internal sealed class CaCertificateSchema(TimeProvider time) : EntitySchema<CaCertificateEntity>([Cert, CertDigest, Trusted(time)])
{
    private static readonly ConfigField<string?> Cert = Field.String("cert", required: true, multiLine: true);
    private static readonly ConfigField<string?> CertDigest = Field.String("cert_digest").Described("unique", true).Described("auto", true);

    public CaCertificateSchema()
        : this(TimeProvider.System)
    {
    }

    public override EntityKind Kind => EntityKind.CaCertificate;

    public override string NameField => "id";

    public override JsonObject Write(GatewayEntity entity)
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

    protected override CaCertificateEntity Bind(ConfigValues values)
    {
        var cert = values.Get(Cert)!;
        var certificates = CertificatePem.ReadCertificates(cert, out _)!;
        try
        {
            return new() { Cert = cert, CertDigest = CertificatePem.Digest(certificates[0]) };
        }
        finally
        {
            CertificatePem.Dispose(certificates);
        }
    }

    /// <summary>
    /// The certificate is one unexpired CA. A <c>cert_digest</c> given with it is not checked: the stored digest is always
    /// the computed one (<see cref="Bind"/>), as Kong overwrites whatever the client sent.
    /// </summary>
    private static ConfigCheck Trusted(TimeProvider time) => new((c, r) =>
    {
        if (c.Get(Cert) is { } cert && !r.Errors.All.ContainsKey("cert"))
        {
            Check(r, cert, time);
        }
    });

    /// <summary>Kong's checks, in Kong's words; the digest when they pass.</summary>
    private static string? Check(FieldReader r, string pem, TimeProvider time)
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
