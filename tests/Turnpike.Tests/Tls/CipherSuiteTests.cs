using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Tls;

/// <summary>
/// The proxy's TLS listener refuses a client that offers none of Kong's "intermediate" cipher suites (CBC only), so
/// HTTP/2 never runs over a suite RFC 7540 forbids; checked with <c>openssl s_client</c> offering one suite at a time
/// (the fixture's default certificate is ECDSA).
/// </summary>
public sealed class CipherSuiteTests(TlsEdgeFixture fixture) : IClassFixture<TlsEdgeFixture>
{
    [Theory]
    [InlineData("ECDHE-ECDSA-AES128-SHA256")]
    [InlineData("ECDHE-ECDSA-AES256-SHA384")]
    [InlineData("ECDHE-ECDSA-AES128-SHA")]
    public async Task A_tls12_cbc_suite_is_refused_so_h2_never_runs_over_one(string cbcSuite)
    {
        var handshake = await OpenSslClient.HandshakeAsync(fixture.HttpsPort, "default.test", "-tls1_2", "-cipher", cbcSuite, "-alpn", "h2");
        Assert.False(handshake.Succeeded, handshake.Output);
    }

    [Theory]
    [InlineData("ECDHE-ECDSA-AES128-GCM-SHA256")]
    [InlineData("ECDHE-ECDSA-AES256-GCM-SHA384")]
    public async Task A_tls12_aead_suite_is_accepted_with_h2(string suite)
    {
        var handshake = await OpenSslClient.HandshakeAsync(fixture.HttpsPort, "default.test", "-tls1_2", "-cipher", suite, "-alpn", "h2");
        Assert.True(handshake.Succeeded, handshake.Output);
        Assert.Equal(("TLSv1.2", suite, "h2"), (handshake.Protocol, handshake.Cipher, handshake.Alpn));
    }

    [Theory]
    [InlineData("TLS_CHACHA20_POLY1305_SHA256")]
    [InlineData("TLS_AES_128_GCM_SHA256")]
    [InlineData("TLS_AES_256_GCM_SHA384")]
    public async Task Each_tls13_suite_is_accepted(string suite)
    {
        var handshake = await OpenSslClient.HandshakeAsync(fixture.HttpsPort, "default.test", "-tls1_3", "-ciphersuites", suite, "-alpn", "h2");
        Assert.True(handshake.Succeeded, handshake.Output);
        Assert.Equal(("TLSv1.3", suite, "h2"), (handshake.Protocol, handshake.Cipher, handshake.Alpn));
    }
}
