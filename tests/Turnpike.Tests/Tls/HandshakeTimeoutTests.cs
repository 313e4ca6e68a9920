using System.Diagnostics;
using System.Net.Sockets;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Tls;

/// <summary><c>Turnpike:Proxy:Limits:HandshakeTimeout</c>: a TLS client that stalls is closed once it passes.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // borrows ClientHelloParserTests' captured ClientHello
public sealed class HandshakeTimeoutTests
{
    /// <summary>How long the edge keeps a connection that sent <paramref name="first"/> and then nothing.</summary>
    private static async Task<TimeSpan> StalledForAsync(int port, byte[] first)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(first);
        var clock = Stopwatch.StartNew();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[256];
        try
        {
            while (await stream.ReadAsync(buffer, limit.Token) > 0)
            {
                // an alert, perhaps: the close is what counts
            }
        }
        catch (IOException)
        {
            // reset: closed too
        }

        return clock.Elapsed;
    }

    [Fact]
    public async Task A_client_that_stalls_before_inside_or_after_its_ClientHello_is_closed_after_the_handshake_timeout()
    {
        var httpsPort = FreePorts.Next();
        await using var edge = await EdgeNode.StartDevAsync(new Dictionary<string, string>
        {
            ["Turnpike__Proxy__Urls"] = $"https://127.0.0.1:{httpsPort}",
            ["Turnpike__Proxy__Limits__HandshakeTimeout"] = "00:00:01",
        });

        var silent = await StalledForAsync(httpsPort, []);
        var partial = await StalledForAsync(httpsPort, [22, 3, 1, 0, 200, 1, 0]); // a ClientHello's first bytes
        Assert.InRange(silent, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(6));
        Assert.InRange(partial, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(6));

        // A whole ClientHello (for alt.test, which has a certificate), then silence: the peek lets it through and the
        // TLS handshake itself is cut.
        using var certificate = TestCertificates.Leaf(null, ["alt.test"], ecdsa: true);
        await edge.Admin.CreateAsync("/certificates", new { cert = certificate.CertPem, key = certificate.KeyPem, snis = new[] { "alt.test" } });
        await Poll.UntilAsync(async () => (await OpenSslClient.HandshakeAsync(httpsPort, "alt.test")).Succeeded, TimeSpan.FromSeconds(20), "the certificate");
        var hello = await ClientHelloParserTests.DotNetClientHelloAsync(System.Security.Authentication.SslProtocols.Tls13);
        Assert.InRange(await StalledForAsync(httpsPort, hello), TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task A_handshake_timeout_that_makes_no_sense_stops_the_edge_naming_the_key()
    {
        var (code, output) = await EdgeNode.RunDevUntilExitAsync(TimeSpan.FromSeconds(60), "--Turnpike:Proxy:Limits:HandshakeTimeout=00:00:00");
        Assert.Equal(2, code);
        Assert.Contains("Turnpike:Proxy:Limits:HandshakeTimeout", output, StringComparison.Ordinal);
    }
}
