using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// A certificate made for a test, with its private key: usable as it is by <c>SslStream</c> (server or client side),
/// and as the PEM the admin API takes (<see cref="CertPem"/>, <see cref="KeyPem"/>, <see cref="ChainPem"/>).
/// </summary>
internal sealed class TestCertificate : IDisposable
{
    public TestCertificate(X509Certificate2 certificate, AsymmetricAlgorithm key, TestCertificate? issuer)
    {
        Certificate = certificate;
        Key = key;
        Issuer = issuer;
    }

    /// <summary>The certificate with its private key attached.</summary>
    public X509Certificate2 Certificate { get; }

    public AsymmetricAlgorithm Key { get; }

    /// <summary>The CA that signed it; null for a self-signed one (a CA made by <see cref="TestCertificates.Ca"/>).</summary>
    public TestCertificate? Issuer { get; }

    public string CertPem => Certificate.ToPem();

    public string KeyPem => Key.ToPem();

    /// <summary>The certificate then its issuers up to (not including) the self-signed root, as a server sends its chain.</summary>
    public string ChainPem
    {
        get
        {
            var pem = CertPem;
            for (var issuer = Issuer; issuer?.Issuer is not null; issuer = issuer.Issuer)
            {
                pem += issuer.CertPem;
            }

            return pem;
        }
    }

    /// <summary>Writes <see cref="ChainPem"/> and <see cref="KeyPem"/> to PEM files in a new directory (a listener's certificate from files).</summary>
    public (string CertificatePath, string KeyPath) WriteFiles()
    {
        var dir = Directory.CreateTempSubdirectory("turnpike-test-tls-").FullName;
        var (certificatePath, keyPath) = (Path.Combine(dir, "cert.pem"), Path.Combine(dir, "key.pem"));
        File.WriteAllText(certificatePath, ChainPem);
        File.WriteAllText(keyPath, KeyPem);
        return (certificatePath, keyPath);
    }

    /// <summary>Lower-case hex SHA-256 of the DER bytes (Kong's <c>cert_digest</c>).</summary>
    public string Digest => Convert.ToHexStringLower(SHA256.HashData(Certificate.RawData));

    public void Dispose()
    {
        Certificate.Dispose();
        Key.Dispose();
    }
}

/// <summary>
/// Makes CAs and leaf certificates for tests with <see cref="CertificateRequest"/>: no files, no openssl. RSA keys are
/// 2048 bits, ECDSA keys P-256. Validity starts a day back (clock skew) unless the certificate is meant to be expired.
/// </summary>
internal static class TestCertificates
{
    /// <summary>A self-signed CA (basic constraints CA, key usage cert and CRL signing), valid for ten years from two years back.</summary>
    public static TestCertificate Ca(string name = "Turnpike Test CA", bool ecdsa = false, DateTimeOffset? notAfter = null)
    {
        var key = NewKey(ecdsa);
        var request = Request($"CN={name}", key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var end = notAfter ?? DateTimeOffset.UtcNow.AddYears(10);
        using var created = request.CreateSelfSigned(Earlier(DateTimeOffset.UtcNow.AddYears(-2), end), end);
        return new TestCertificate(WithKey(created, key), key, null);
    }

    /// <summary>
    /// A server (and client) certificate for <paramref name="names"/> (DNS names, or IP addresses), signed by
    /// <paramref name="ca"/>, or self-signed when <paramref name="ca"/> is null. The first name is also the subject's CN.
    /// </summary>
    public static TestCertificate Leaf(TestCertificate? ca, IReadOnlyList<string> names, bool ecdsa = false, DateTimeOffset? notAfter = null)
    {
        var key = NewKey(ecdsa);
        var request = Request($"CN={(names.Count > 0 ? names[0] : "turnpike-test")}", key);
        var alternativeNames = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (System.Net.IPAddress.TryParse(name, out var address))
            {
                alternativeNames.AddIpAddress(address);
            }
            else
            {
                alternativeNames.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(alternativeNames.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            ecdsa ? X509KeyUsageFlags.DigitalSignature : X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false)); // server and client authentication

        var end = notAfter ?? DateTimeOffset.UtcNow.AddYears(1);
        if (ca is null)
        {
            using var selfSigned = request.CreateSelfSigned(Earlier(DateTimeOffset.UtcNow.AddDays(-1), end), end);
            return new TestCertificate(WithKey(selfSigned, key), key, null);
        }

        // Within the issuer's validity, which .NET insists on.
        var start = Earlier(DateTimeOffset.UtcNow.AddDays(-1), end);
        start = start < ca.Certificate.NotBefore ? new DateTimeOffset(ca.Certificate.NotBefore.ToUniversalTime()) : start;
        end = end > ca.Certificate.NotAfter ? new DateTimeOffset(ca.Certificate.NotAfter.ToUniversalTime()) : end;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca.Certificate, true, false));

        // A generator for the CA's key: the leaf's key may be of the other type (an ECDSA leaf under an RSA CA).
        var signer = ca.Key switch
        {
            ECDsa ec => X509SignatureGenerator.CreateForECDsa(ec),
            RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
            _ => throw new ArgumentException("RSA or ECDSA keys only", nameof(ca)),
        };
        using var signed = request.Create(ca.Certificate.SubjectName, signer, start, end, serial);
        return new TestCertificate(WithKey(signed, key), key, ca);
    }

    /// <summary>An intermediate CA signed by <paramref name="issuer"/> (a chain one longer: depth and chain tests), ECDSA, valid within its issuer.</summary>
    public static TestCertificate Intermediate(TestCertificate issuer, string name = "Turnpike Test Intermediate CA")
    {
        var key = NewKey(ecdsa: true);
        var request = Request($"CN={name}", key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer.Certificate, true, false));
        var signer = issuer.Key switch
        {
            ECDsa ec => X509SignatureGenerator.CreateForECDsa(ec),
            RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
            _ => throw new ArgumentException("RSA or ECDSA keys only", nameof(issuer)),
        };
        using var signed = request.Create(
            issuer.Certificate.SubjectName, signer, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), RandomNumberGenerator.GetBytes(16).Select((b, i) => i == 0 ? (byte)(b & 0x7F) : b).ToArray());
        return new TestCertificate(WithKey(signed, key), key, issuer);
    }

    /// <summary>The certificate as PEM (<c>-----BEGIN CERTIFICATE-----</c>), ending with a newline.</summary>
    public static string ToPem(this X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    /// <summary>The private key as unencrypted PKCS#8 PEM (<c>-----BEGIN PRIVATE KEY-----</c>), ending with a newline.</summary>
    public static string ToPem(this AsymmetricAlgorithm key) => key.ExportPkcs8PrivateKeyPem() + "\n";

    private static AsymmetricAlgorithm NewKey(bool ecdsa) => ecdsa ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);

    private static CertificateRequest Request(string subject, AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
        RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        _ => throw new ArgumentException("RSA or ECDSA keys only", nameof(key)),
    };

    /// <summary>A new instance of the certificate holding the key (the one the request made goes with its <c>using</c>).</summary>
    private static X509Certificate2 WithKey(X509Certificate2 certificate, AsymmetricAlgorithm key)
    {
        using var publicOnly = X509CertificateLoader.LoadCertificate(certificate.RawData);
        return key switch
        {
            ECDsa ec => publicOnly.CopyWithPrivateKey(ec),
            RSA rsa => publicOnly.CopyWithPrivateKey(rsa),
            _ => throw new ArgumentException("RSA or ECDSA keys only", nameof(key)),
        };
    }

    /// <summary>A start a month before an end in the past (an expired certificate), else the usual start.</summary>
    private static DateTimeOffset Earlier(DateTimeOffset usual, DateTimeOffset end) => end <= usual ? end.AddDays(-30) : usual;
}
