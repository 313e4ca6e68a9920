using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Turnpike.Edge.Tls;

/// <summary>
/// One certificate entity loaded for TLS: the leaf with its private key and its chain, and the alternative pair
/// (<c>cert_alt</c>/<c>key_alt</c>) when there is one. The handshake serves the primary pair: .NET's TLS stack
/// chooses the certificate before it has read which signature algorithms the client offers, so the alternative
/// pair is kept (checked, stored, exported) but not yet served.
/// </summary>
internal sealed class ServedCertificate
{
    private readonly Lazy<SslServerAuthenticationOptions> _serverOptions;

    public ServedCertificate(CertificateEntity? entity, X509Certificate2 primary, X509Certificate2? alternative, X509Certificate2Collection chain)
    {
        Entity = entity;
        Primary = primary;
        Alternative = alternative;
        Chain = chain;
        _serverOptions = new(() => new SslServerAuthenticationOptions
        {
            // One context per certificate, made once: it holds the chain and the TLS library's own state (session
            // resumption), so a handshake costs a lookup, not a chain build.
            ServerCertificateContext = SslStreamCertificateContext.Create(Primary, Chain, offline: true),
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CipherSuitesPolicy = ProxyCipherSuites.Policy,
        });
    }

    /// <summary>The entity it was loaded from; null for the listener's default certificate from files.</summary>
    public CertificateEntity? Entity { get; }

    /// <summary>What a handshake serving this certificate uses (TLS 1.2 and 1.3, Kong's intermediate cipher suites, ALPN h2 then http/1.1); shared by every handshake.</summary>
    public SslServerAuthenticationOptions ServerOptions => _serverOptions.Value;

    /// <summary>The leaf of <c>cert</c>/<c>key</c>, with its private key.</summary>
    public X509Certificate2 Primary { get; }

    /// <summary>The leaf of <c>cert_alt</c>/<c>key_alt</c>, with its private key; null without one.</summary>
    public X509Certificate2? Alternative { get; }

    /// <summary>The intermediates sent after the leaf.</summary>
    public X509Certificate2Collection Chain { get; }

    /// <summary>Null when the PEM no longer loads (it was checked when written).</summary>
    public static ServedCertificate? Load(CertificateEntity entity)
    {
        try
        {
            var primary = LoadPair(entity.Cert, entity.Key);
            var alternative = entity.CertAlt is { Length: > 0 } certAlt && entity.KeyAlt is { Length: > 0 } keyAlt ? LoadPair(certAlt, keyAlt) : null;
            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(entity.Cert);
            if (chain.Count > 0)
            {
                chain.RemoveAt(0); // the leaf
            }

            return new ServedCertificate(entity, primary, alternative, chain);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>
    /// A leaf and its key as the TLS stack can use them: on Linux an ephemeral key from PEM works for SslStream
    /// as it is, so no export round trip is needed.
    /// </summary>
    public static X509Certificate2 LoadPair(string certPem, string keyPem) => X509Certificate2.CreateFromPem(certPem, keyPem);
}
