using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>
/// Reads the PEM an admin gives for certificates and keys, with Kong's error wording (<c>invalid certificate: ...</c>,
/// <c>invalid key: ...</c>). Strict on purpose: a certificate field holds certificates only (a key pasted there would
/// be served to every client) and a key field one unencrypted RSA or ECDSA private key.
/// </summary>
internal static class CertificatePem
{
    private const string CertificateLabel = "CERTIFICATE";
    private const string BeginMarker = "-----BEGIN";

    /// <summary>The certificates of <paramref name="pem"/>, leaf first; null with <paramref name="problem"/> set when any block is not one. The caller disposes them.</summary>
    public static List<X509Certificate2>? ReadCertificates(string pem, out string? problem)
    {
        var certificates = new List<X509Certificate2>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label].ToString();
            if (label != CertificateLabel)
            {
                Dispose(certificates);
                problem = $"invalid certificate: unexpected PEM block '{label}' (only certificates belong here)";
                return null;
            }

            var der = new byte[fields.DecodedDataLength];
            if (!Convert.TryFromBase64Chars(rest[fields.Base64Data], der, out _))
            {
                Dispose(certificates);
                problem = "invalid certificate: bad base64 in PEM block";
                return null;
            }

            try
            {
                certificates.Add(X509CertificateLoader.LoadCertificate(der));
            }
            catch (CryptographicException)
            {
                Dispose(certificates);
                problem = "invalid certificate: PEM block does not hold an X.509 certificate";
                return null;
            }

            rest = rest[fields.Location.End..];
        }

        if (certificates.Count == 0)
        {
            problem = rest.Contains(BeginMarker, StringComparison.Ordinal)
                ? "invalid certificate: truncated or malformed PEM block"
                : "invalid certificate: no PEM-encoded certificate found";
            return null;
        }

        // A chain cut short would otherwise lose its last certificates without a word.
        if (rest.Contains(BeginMarker, StringComparison.Ordinal))
        {
            Dispose(certificates);
            problem = "invalid certificate: truncated or malformed PEM block";
            return null;
        }

        problem = null;
        return certificates;
    }

    /// <summary>The one private key of <paramref name="pem"/> (RSA or ECDSA); null with <paramref name="problem"/> set otherwise. The caller disposes it.</summary>
    public static AsymmetricAlgorithm? ReadPrivateKey(string pem, out string? problem)
    {
        if (!PemEncoding.TryFind(pem, out var fields))
        {
            problem = pem.Contains(BeginMarker, StringComparison.Ordinal)
                ? "invalid key: truncated or malformed PEM block"
                : "invalid key: no PEM-encoded private key found";
            return null;
        }

        if (pem.AsSpan(fields.Location.End).Contains(BeginMarker, StringComparison.Ordinal))
        {
            problem = "invalid key: expected exactly one PEM block";
            return null;
        }

        var label = pem[fields.Label];
        if (label == "ENCRYPTED PRIVATE KEY")
        {
            problem = "invalid key: encrypted keys are not supported (the gateway has no passphrase to open them)";
            return null;
        }

        if (label is not ("PRIVATE KEY" or "RSA PRIVATE KEY" or "EC PRIVATE KEY"))
        {
            problem = $"invalid key: unexpected PEM block '{label}' (expected a private key)";
            return null;
        }

        // PKCS#8 ("PRIVATE KEY") may hold either kind; the other labels say which.
        if (label != "EC PRIVATE KEY" && TryImport(RSA.Create(), pem) is { } rsa)
        {
            problem = null;
            return rsa;
        }

        if (label != "RSA PRIVATE KEY" && TryImport(ECDsa.Create(), pem) is { } ecdsa)
        {
            problem = null;
            return ecdsa;
        }

        problem = "invalid key: not an RSA or ECDSA private key";
        return null;
    }

    /// <summary>Whether the certificate was issued for this key: the same public key, compared as SubjectPublicKeyInfo.</summary>
    public static bool Matches(X509Certificate2 certificate, AsymmetricAlgorithm key)
    {
        byte[] ofKey;
        try
        {
            ofKey = key.ExportSubjectPublicKeyInfo();
        }
        catch (CryptographicException)
        {
            return false;
        }

        return KeyTypeOf(certificate) == KeyTypeOf(key)
            && CryptographicOperations.FixedTimeEquals(certificate.PublicKey.ExportSubjectPublicKeyInfo(), ofKey);
    }

    /// <summary><c>RSA</c>, <c>ECDSA</c>, or the algorithm's OID for anything else.</summary>
    public static string KeyTypeOf(X509Certificate2 certificate) => certificate.PublicKey.Oid.Value switch
    {
        "1.2.840.113549.1.1.1" => "RSA",
        "1.2.840.10045.2.1" => "ECDSA",
        var other => other ?? "unknown",
    };

    /// <summary>Lower-case hex SHA-256 of the certificate's DER bytes (Kong's <c>cert_digest</c>).</summary>
    public static string Digest(X509Certificate2 certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));

    /// <summary>The digest of the first certificate of <paramref name="pem"/>, or null when it does not read.</summary>
    public static string? DigestOf(string pem)
    {
        var certificates = ReadCertificates(pem, out _);
        if (certificates is null)
        {
            return null;
        }

        try
        {
            return Digest(certificates[0]);
        }
        finally
        {
            Dispose(certificates);
        }
    }

    public static void Dispose(IEnumerable<X509Certificate2> certificates)
    {
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }
    }

    private static string KeyTypeOf(AsymmetricAlgorithm key) => key switch
    {
        RSA => "RSA",
        ECDsa => "ECDSA",
        _ => "unknown",
    };

    private static T? TryImport<T>(T algorithm, string pem) where T : AsymmetricAlgorithm
    {
        try
        {
            algorithm.ImportFromPem(pem);
            return algorithm;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            algorithm.Dispose();
            return null;
        }
    }
}
