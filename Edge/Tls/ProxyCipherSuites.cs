using System.Net.Security;

namespace Turnpike.Edge.Tls;

/// <summary>
/// The cipher suites the edge's TLS listeners accept: Kong's default <c>ssl_cipher_suite = intermediate</c> (Mozilla's
/// "intermediate" profile, version 5.7). TLS 1.3: AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305. TLS 1.2: ECDHE with
/// ECDSA or RSA keys and AES-GCM or ChaCha20-Poly1305, and Kong's three DHE-RSA suites for clients without ECDHE. No
/// CBC suite, so HTTP/2 is never negotiated over a suite RFC 7540 §9.2.2 forbids; no static RSA key exchange.
/// </summary>
internal static class ProxyCipherSuites
{
    public static readonly IReadOnlyList<TlsCipherSuite> Intermediate =
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    /// <summary>The policy for <see cref="SslServerAuthenticationOptions.CipherSuitesPolicy"/>; null where .NET cannot set one (Windows: the system's list applies).</summary>
    public static CipherSuitesPolicy? Policy { get; } = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? new CipherSuitesPolicy(Intermediate) : null;
}
