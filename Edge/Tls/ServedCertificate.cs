using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Turnpike.Edge.Tls;

/// <summary>
/// One certificate entity loaded for TLS: the leaf with its private key and its chain, and the alternative pair
/// (<c>cert_alt</c>/<c>key_alt</c>, of the other key type) when there is one. Which pair a handshake gets is the
/// client's: the ECDSA one when its ClientHello accepts ECDSA, else the RSA one (<see cref="ServerOptionsFor"/>, fed
/// by <see cref="ClientHelloPeek"/>), as nginx serves Kong's two certificates.
/// </summary>
internal sealed class ServedCertificate
{
    private readonly Lazy<SslServerAuthenticationOptions> _serverOptions;
    private readonly Lazy<SslServerAuthenticationOptions>? _alternativeOptions;
    private readonly bool _primaryIsEcdsa;

    public ServedCertificate(CertificateEntity? entity, X509Certificate2 primary, X509Certificate2? alternative, X509Certificate2Collection chain, X509Certificate2Collection? alternativeChain = null)
    {
        Entity = entity;
        Primary = primary;
        Alternative = alternative;
        Chain = chain;
        _primaryIsEcdsa = IsEcdsa(primary);
        _serverOptions = new(() => Options(Primary, Chain));
        if (alternative is not null)
        {
            _alternativeOptions = new(() => Options(alternative, alternativeChain ?? []));
        }
    }

    /// <summary>The entity it was loaded from; null for the listener's default certificate from files.</summary>
    public CertificateEntity? Entity { get; }

    /// <summary>What a handshake serving this certificate uses (TLS 1.2 and 1.3, ALPN h2 then http/1.1); shared by every handshake.</summary>
    public SslServerAuthenticationOptions ServerOptions => _serverOptions.Value;

    /// <summary>
    /// The options for a client with <paramref name="preference"/>: the ECDSA pair to a client that accepts ECDSA, the
    /// RSA pair to one that accepts only RSA, the primary pair when unknown or when there is no alternative.
    /// </summary>
    public SslServerAuthenticationOptions ServerOptionsFor(CertificateKeyPreference preference) =>
        _alternativeOptions is null || preference == CertificateKeyPreference.Unknown || (preference == CertificateKeyPreference.Ecdsa) == _primaryIsEcdsa
            ? ServerOptions
            : _alternativeOptions.Value;

    /// <summary>The leaf of <c>cert</c>/<c>key</c>, with its private key.</summary>
    public X509Certificate2 Primary { get; }

    /// <summary>The leaf of <c>cert_alt</c>/<c>key_alt</c>, with its private key; null without one.</summary>
    public X509Certificate2? Alternative { get; }

    /// <summary>The intermediates sent after the leaf.</summary>
    public X509Certificate2Collection Chain { get; }

    /// <summary>One context per certificate, made once: it holds the chain and the TLS library's own state (session resumption), so a handshake costs a lookup, not a chain build.</summary>
    private static SslServerAuthenticationOptions Options(X509Certificate2 leaf, X509Certificate2Collection chain) => new()
    {
        ServerCertificateContext = SslStreamCertificateContext.Create(leaf, chain, offline: true),
        ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,

        // No CipherSuitesPolicy: with one, .NET neither caches the OpenSSL context nor resumes sessions (a new SSL_CTX
        // per handshake, measured at about 5 times the CPU). .NET's own TLS 1.2 list is AEAD first, then ECDHE with
        // CBC-SHA256/384; ClientHelloPeek refuses clients that offer none of Kong's intermediate suites.
    };

    private static bool IsEcdsa(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPublicKey();
        return key is not null;
    }

    /// <summary>Null when the PEM no longer loads (it was checked when written).</summary>
    public static ServedCertificate? Load(CertificateEntity entity)
    {
        try
        {
            var primary = LoadPair(entity.Cert, entity.Key);
            var alternative = entity.CertAlt is { Length: > 0 } certAlt && entity.KeyAlt is { Length: > 0 } keyAlt ? LoadPair(certAlt, keyAlt) : null;
            return new ServedCertificate(entity, primary, alternative, ChainOf(entity.Cert), alternative is null ? null : ChainOf(entity.CertAlt!));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>The certificates after the leaf in a PEM (the intermediates sent with it).</summary>
    private static X509Certificate2Collection ChainOf(string pem)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(pem);
        if (chain.Count > 0)
        {
            chain.RemoveAt(0); // the leaf
        }

        return chain;
    }

    /// <summary>
    /// A leaf and its key as the TLS stack can use them: on Linux an ephemeral key from PEM works for SslStream
    /// as it is, so no export round trip is needed.
    /// </summary>
    public static X509Certificate2 LoadPair(string certPem, string keyPem) => X509Certificate2.CreateFromPem(certPem, keyPem);
}
