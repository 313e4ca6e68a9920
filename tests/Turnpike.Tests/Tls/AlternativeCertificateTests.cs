using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Tls;

/// <summary>
/// A certificate with <c>cert_alt</c>/<c>key_alt</c> (one RSA pair, one ECDSA pair) serves the pair each client can
/// verify, as Kong does: a client that accepts ECDSA gets the ECDSA pair, an RSA-only client the RSA pair, whichever of
/// the two is the primary. Clients are <c>openssl s_client</c> narrowed by suite (TLS 1.2) or signature algorithm (TLS 1.3).
/// </summary>
public sealed class AlternativeCertificateTests(TlsEdgeFixture fixture) : IClassFixture<TlsEdgeFixture>
{
    private readonly string _name = "alt-" + Guid.NewGuid().ToString("N")[..8] + ".test";

    /// <summary>A certificate for the name with its pair of each type; <paramref name="rsaPrimary"/> says which is <c>cert</c>.</summary>
    private async Task CreateAsync(bool rsaPrimary)
    {
        var rsa = TestCertificates.Leaf(fixture.Ca, [_name]);
        var ecdsa = TestCertificates.Leaf(fixture.Ca, [_name], ecdsa: true);
        var (primary, alternative) = rsaPrimary ? (rsa, ecdsa) : (ecdsa, rsa);
        await fixture.Edge.Admin.CreateAsync("/certificates", new
        {
            cert = primary.ChainPem,
            key = primary.KeyPem,
            cert_alt = alternative.ChainPem,
            key_alt = alternative.KeyPem,
            snis = new[] { _name },
        });
        await Poll.UntilAsync(
            async () => (await OpenSslClient.HandshakeAsync(fixture.HttpsPort, _name)).Subject?.Contains(_name, StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(20),
            "the certificate served");
    }

    private Task<OpenSslHandshake> HandshakeAsync(params string[] options) => OpenSslClient.HandshakeAsync(fixture.HttpsPort, _name, options);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Rsa_only_clients_get_the_rsa_pair_and_others_the_ecdsa_pair(bool rsaPrimary)
    {
        await CreateAsync(rsaPrimary);

        var tls12Rsa = await HandshakeAsync("-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256");
        Assert.True(tls12Rsa.Succeeded, tls12Rsa.Output);
        Assert.Equal((2048, "ECDHE-RSA-AES128-GCM-SHA256"), (tls12Rsa.ServerKeyBits, tls12Rsa.Cipher));

        var tls13Rsa = await HandshakeAsync("-tls1_3", "-sigalgs", "rsa_pss_rsae_sha256");
        Assert.True(tls13Rsa.Succeeded, tls13Rsa.Output);
        Assert.Equal(("TLSv1.3", 2048), (tls13Rsa.Protocol, tls13Rsa.ServerKeyBits));

        var tls12Ecdsa = await HandshakeAsync("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256");
        Assert.True(tls12Ecdsa.Succeeded, tls12Ecdsa.Output);
        Assert.Equal(256, tls12Ecdsa.ServerKeyBits);

        var anything = await HandshakeAsync("-alpn", "h2");
        Assert.True(anything.Succeeded, anything.Output);
        Assert.Equal(("TLSv1.3", 256, "h2"), (anything.Protocol, anything.ServerKeyBits, anything.Alpn));
    }

    [Fact]
    public async Task A_dotnet_client_gets_the_ecdsa_pair_of_an_rsa_primary()
    {
        await CreateAsync(rsaPrimary: true);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", fixture.HttpsPort);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = _name,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => fixture.Trusted(certificate),
        });
        using var served = new X509Certificate2(tls.RemoteCertificate!);
        using var key = served.GetECDsaPublicKey();
        Assert.NotNull(key);
    }
}
