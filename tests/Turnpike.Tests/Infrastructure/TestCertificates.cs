using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Turnpike.Tests.Infrastructure;

/// <summary>Certificates made at run time for TLS tests: a CA, leaves it signs (ECDSA or RSA), PEM out.</summary>
internal static class TestCertificates
{
    /// <summary>A self-signed CA with its key.</summary>
    public static X509Certificate2 Ca(string name = "Turnpike Test CA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>A server (and client) certificate for <paramref name="names"/> (valid from up to 20 days before <paramref name="notAfter"/>, which may be past: an expired one) ; names are DNS names or IP addresses; signed by <paramref name="ca"/>, with its key.</summary>
    public static X509Certificate2 Leaf(X509Certificate2 ca, string[] names, bool ecdsa = true, DateTimeOffset? notAfter = null)
    {
        var subject = $"CN={names[0]}";
        using var ecKey = ecdsa ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : null;
        using var rsaKey = ecdsa ? null : RSA.Create(2048);
        var request = ecdsa
            ? new CertificateRequest(subject, ecKey!, HashAlgorithmName.SHA256)
            : new CertificateRequest(subject, rsaKey!, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                san.AddIpAddress(address);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var until = notAfter ?? DateTimeOffset.UtcNow.AddDays(30);
        var notBefore = until.AddDays(-20) < DateTimeOffset.UtcNow.AddDays(-1) ? until.AddDays(-20) : DateTimeOffset.UtcNow.AddDays(-1); // an expired leaf began before it ended
        var serial = RandomNumberGenerator.GetBytes(12);
        using var signed = request.Create(ca, notBefore, until, serial);
        return ecdsa ? signed.CopyWithPrivateKey(ecKey!) : signed.CopyWithPrivateKey(rsaKey!);
    }

    /// <summary>An intermediate CA signed by <paramref name="issuer"/>, with its key (a chain one longer, for depth and chain tests).</summary>
    public static X509Certificate2 Intermediate(X509Certificate2 issuer, string name = "Turnpike Test Intermediate CA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var signed = request.Create(issuer, DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddMonths(6), RandomNumberGenerator.GetBytes(12));
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>A leaf for <paramref name="names"/> signed by its own key: trusted by nobody.</summary>
    public static X509Certificate2 SelfSigned(params string[] names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    public static string CertPem(X509Certificate2 certificate) => certificate.ExportCertificatePem();

    /// <summary>The certificate then <paramref name="chain"/>, PEM: Kong's <c>cert</c> field with its intermediates.</summary>
    public static string ChainPem(X509Certificate2 certificate, params X509Certificate2[] chain) =>
        CertPem(certificate) + "\n" + string.Concat(chain.Select(c => CertPem(c) + "\n"));

    public static string KeyPem(X509Certificate2 certificate) =>
        (certificate.GetECDsaPrivateKey() as AsymmetricAlgorithm ?? certificate.GetRSAPrivateKey())?.ExportPkcs8PrivateKeyPem()
        ?? throw new InvalidOperationException("the certificate has no private key");

    /// <summary>Writes the certificate (with <paramref name="chain"/> after it) and its key to PEM files in a new directory.</summary>
    public static (string CertificatePath, string KeyPath) WriteFiles(X509Certificate2 certificate, params X509Certificate2[] chain)
    {
        var dir = Directory.CreateTempSubdirectory("turnpike-test-tls-").FullName;
        var certificatePath = Path.Combine(dir, "cert.pem");
        var keyPath = Path.Combine(dir, "key.pem");
        File.WriteAllText(certificatePath, CertPem(certificate) + "\n" + string.Concat(chain.Select(c => CertPem(c) + "\n")));
        File.WriteAllText(keyPath, KeyPem(certificate));
        return (certificatePath, keyPath);
    }
}
