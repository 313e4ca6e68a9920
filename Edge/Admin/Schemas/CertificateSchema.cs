using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// Kong's <c>certificates</c> schema: <c>cert</c> (leaf first, then its chain) and the <c>key</c> it was issued for,
/// optionally a second pair of the other key type (<c>cert_alt</c>/<c>key_alt</c>: one RSA, one ECDSA), tags, and the
/// <c>snis</c> shorthand (names whose SNI entities the write creates or replaces; not stored on the certificate).
/// Every PEM is parsed and each key checked against its certificate when written. Expiry is not checked: Kong accepts
/// an expired certificate (renewal tooling uploads the next one beside it), and so do we.
/// </summary>
internal sealed class CertificateSchema : EntitySchema<CertificateEntity>
{
    private const string SameTypeProblem =
        "certificate and alternative certificate need to have different type (e.g. RSA and ECDSA), the provided certificates were both of the same type";

    private static readonly string[] Secrets = ["key", "key_alt"];

    private static readonly ConfigField<string?> Cert = Field.String("cert", required: true, multiLine: true);
    private static readonly ConfigField<string?> Key = Field.String("key", required: true, multiLine: true).Described("encrypted", true);
    private static readonly ConfigField<string?> CertAlt = Field.String("cert_alt", multiLine: true);
    private static readonly ConfigField<string?> KeyAlt = Field.String("key_alt", multiLine: true).Described("encrypted", true);

    /// <summary>Kong's <c>snis</c> shorthand: names the write gives SNI entities of their own (<see cref="SniNames"/>); not stored here.</summary>
    private static readonly ConfigField<string[]?> Snis = Field.Custom("snis", SnisDescription(), (r, _) => ReadSnis(r) is { } names ? Field.Array(names) : null, Field.ToStrings);

    private static readonly ConfigCheck Pairs = new((c, r) =>
    {
        var primaryType = CheckPair(r, c.Get(Cert), c.Get(Key), "cert", "key", "certificate does not match key");
        if ((c.Get(CertAlt) is null) != (c.Get(KeyAlt) is null))
        {
            r.Error("@entity", "all or none of these fields must be set: 'cert_alt', 'key_alt'");
        }
        else if (c.Get(CertAlt) is { } certAlt)
        {
            var alternativeType = CheckPair(r, certAlt, c.Get(KeyAlt), "cert_alt", "key_alt", "alternative certificate does not match key");
            if (primaryType is not null && primaryType == alternativeType)
            {
                r.Error("@entity", SameTypeProblem);
            }
        }
    }, ConfigCheck.Rule("mutually_required", "cert_alt", "key_alt"));

    public CertificateSchema()
        : base([Cert, Key, CertAlt, KeyAlt, Snis, Pairs])
    {
    }

    public override EntityKind Kind => EntityKind.Certificate;

    /// <summary>A certificate has no name: a key in its path is an id, or one of its SNI names.</summary>
    public override string NameField => "id";

    public override IReadOnlyList<string> SecretFields => Secrets;

    public override JsonObject Write(GatewayEntity entity)
    {
        var c = (CertificateEntity)entity;
        var json = new JsonObject
        {
            ["id"] = c.Id.ToString(),
            ["cert"] = c.Cert,
            ["key"] = c.Key,
            ["cert_alt"] = c.CertAlt,
            ["key_alt"] = c.KeyAlt,
        };
        JsonFields.WriteCommon(json, c);
        return json;
    }

    /// <summary>
    /// The <c>snis</c> shorthand of a body the schema accepted: the names in lower case, an empty list for an explicit
    /// <c>null</c> (remove them all, as Kong), or null when the body does not mention them (keep them).
    /// </summary>
    public static string[]? SniNames(JsonObject json, bool coerce)
    {
        if (!json.TryGetPropertyValue("snis", out var node))
        {
            return null;
        }

        return node is null ? [] : ReadSnis(new FieldReader(json, new FieldErrors(), coerce: coerce)) ?? [];
    }

    protected override CertificateEntity Bind(ConfigValues values) => new()
    {
        Cert = values.Get(Cert)!,
        Key = values.Get(Key)!,
        CertAlt = values.Get(CertAlt),
        KeyAlt = values.Get(KeyAlt),
    };

    private static JsonObject SnisDescription()
    {
        var description = Field.Describe("array", false);
        description["elements"] = Field.Describe("string", false);
        return description;
    }

    private static string[]? ReadSnis(FieldReader r)
    {
        var names = r.Strings("snis", FieldRules.ServerName);
        if (names is null)
        {
            return null;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names.Select(n => n.ToLowerInvariant()))
        {
            if (!seen.Add(name))
            {
                r.Error("snis", $"{name} is duplicated");
                return null;
            }
        }

        return [.. seen.Order(StringComparer.Ordinal)];
    }

    /// <summary>Parses one certificate/key pair and checks they belong together; the leaf's key type when both parse.</summary>
    private static string? CheckPair(FieldReader r, string? certPem, string? keyPem, string certField, string keyField, string mismatch)
    {
        if (certPem is null || keyPem is null)
        {
            return null;
        }

        var chain = CertificatePem.ReadCertificates(certPem, out var certProblem);
        using var key = CertificatePem.ReadPrivateKey(keyPem, out var keyProblem);
        try
        {
            if (certProblem is not null)
            {
                r.Error(certField, certProblem);
            }

            if (keyProblem is not null)
            {
                r.Error(keyField, keyProblem);
            }

            if (chain is null || key is null)
            {
                return null;
            }

            var leaf = chain[0];
            if (!CertificatePem.Matches(leaf, key) || !LoadsAsPair(certPem, keyPem))
            {
                r.Error("@entity", mismatch);
                return null;
            }

            return CertificatePem.KeyTypeOf(leaf);
        }
        finally
        {
            if (chain is not null)
            {
                CertificatePem.Dispose(chain);
            }
        }
    }

    /// <summary>What the edge will do with the pair when it serves it (ServedCertificate), which also refuses a mismatch.</summary>
    private static bool LoadsAsPair(string certPem, string keyPem)
    {
        try
        {
            using var pair = X509Certificate2.CreateFromPem(certPem, keyPem);
            return pair.HasPrivateKey;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
