using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// Certificates for TLS tests, made in memory with <see cref="CertificateRequest"/>: an authority that issues
/// intermediates and leaves (server or client), each with its private key, and their PEM for the admin API.
/// ECDSA P-256 keys, so making them costs milliseconds.
/// </summary>
internal sealed class TestPki
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private TestPki(X509Certificate2 certificate, TestPki? issuer)
    {
        Certificate = certificate;
        Issuer = issuer;
    }

    /// <summary>The certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Who signed it; null for a root.</summary>
    public TestPki? Issuer { get; }

    /// <summary>The certificate alone, PEM.</summary>
    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary>The private key, PKCS#8 PEM.</summary>
    public string KeyPem => Certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();

    /// <summary>The intermediates between this certificate and its root (the root left out), nearest first.</summary>
    public X509Certificate2Collection Intermediates
    {
        get
        {
            var chain = new X509Certificate2Collection();
            for (var issuer = Issuer; issuer?.Issuer is not null; issuer = issuer.Issuer)
            {
                chain.Add(issuer.Certificate);
            }

            return chain;
        }
    }

    /// <summary>The certificate then its intermediates, PEM: what a server or client sends, and Kong's <c>cert</c> field.</summary>
    public string ChainPem => string.Join('\n', [CertificatePem, .. Intermediates.Select(c => c.ExportCertificatePem())]) + "\n";

    public static TestPki CreateRoot(string name = "Turnpike Test Root")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return new TestPki(request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1)), null);
    }

    /// <summary>An intermediate CA signed by this one.</summary>
    public TestPki CreateIntermediate(string name = "Turnpike Test Intermediate")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        return Sign(request, key);
    }

    /// <summary>A server certificate for these DNS names and IP addresses.</summary>
    public TestPki IssueServer(params string[] names) => IssueLeaf(names[0], names, ServerAuth);

    /// <summary>A client certificate (mutual TLS).</summary>
    public TestPki IssueClient(string name = "turnpike-edge") => IssueLeaf(name, [], ClientAuth);

    /// <summary>A self-signed server certificate: trusted by nobody.</summary>
    public static TestPki SelfSignedServer(params string[] names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = LeafRequest(names[0], names, ServerAuth, key);
        var now = DateTimeOffset.UtcNow;
        return new TestPki(request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1)), null);
    }

    private TestPki IssueLeaf(string subject, string[] names, Oid usage)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = LeafRequest(subject, names, usage, key);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        return Sign(request, key);
    }

    private static CertificateRequest LeafRequest(string subject, string[] names, Oid usage, ECDsa key)
    {
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        if (names.Length > 0)
        {
            var alternative = new SubjectAlternativeNameBuilder();
            foreach (var name in names)
            {
                if (IPAddress.TryParse(name, out var address))
                {
                    alternative.AddIpAddress(address);
                }
                else
                {
                    alternative.AddDnsName(name);
                }
            }

            request.CertificateExtensions.Add(alternative.Build());
        }

        return request;
    }

    private TestPki Sign(CertificateRequest request, ECDsa key)
    {
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var signed = request.Create(Certificate, now.AddDays(-1), now.AddMonths(6), serial);
        return new TestPki(signed.CopyWithPrivateKey(key), this);
    }
}
