using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Turnpike.Regions;

/// <summary>
/// The link's mutual TLS, loaded from <see cref="RegionLinkTlsOptions"/>: the certificate this process serves and presents,
/// and the trust decision for a peer's certificate — it must chain to the configured CA (and nothing else: the system's
/// roots are not consulted), and a server must also be the host its link URL names.
/// </summary>
public sealed class RegionLinkTls
{
    private readonly X509Certificate2Collection _ca;

    private RegionLinkTls(X509Certificate2 certificate, X509Certificate2Collection ca)
    {
        Certificate = certificate;
        _ca = ca;
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>Null when nothing is configured; else the loaded certificates (the validator has checked they load).</summary>
    public static RegionLinkTls? Load(RegionLinkTlsOptions options)
    {
        if (!options.Configured)
        {
            return null;
        }

        var certificate = X509Certificate2.CreateFromPemFile(options.Certificate!, options.Key!);
        var ca = new X509Certificate2Collection();
        ca.ImportFromPemFile(options.Ca!);
        return new RegionLinkTls(certificate, ca);
    }

    /// <summary>What is wrong with the settings, in words for the operator, or null.</summary>
    public static string? Problem(RegionLinkTlsOptions options)
    {
        if (string.IsNullOrEmpty(options.Certificate) || string.IsNullOrEmpty(options.Key) || string.IsNullOrEmpty(options.Ca))
        {
            return "Certificate, Key and Ca (PEM files: this process's certificate, its key, and the CA the regions' link certificates are issued by).";
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPemFile(options.Certificate, options.Key);
            var ca = new X509Certificate2Collection();
            ca.ImportFromPemFile(options.Ca);
            return ca.Count == 0 ? $"Ca '{options.Ca}' holds no certificate." : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            return $"could not load Certificate '{options.Certificate}', Key '{options.Key}' or Ca '{options.Ca}': {ex.Message.ReplaceLineEndings(" ")}";
        }
    }

    /// <summary>A peer's certificate chains to the configured CA (its own roots only; no revocation lists on a private CA).</summary>
    public bool Trusted(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>A server: named for the host the client asked for (TLS's own check), and chaining to the CA.</summary>
    public bool TrustedServer(X509Certificate? certificate, SslPolicyErrors errors) =>
        (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) == 0
        && certificate is X509Certificate2 presented && Trusted(presented);
}
