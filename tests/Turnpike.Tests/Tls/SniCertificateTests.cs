using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Tls;

/// <summary>Certificates chosen by SNI from the route table: per name, by wildcard, the default otherwise; changed without restart.</summary>
public sealed class SniCertificateTests(TlsEdgeFixture fixture) : IClassFixture<TlsEdgeFixture>
{
    private readonly string _name = "sni-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The certificate a handshake for <paramref name="serverName"/> gets, trusted by the test CA or not.</summary>
    private async Task<X509Certificate2> ServedAsync(int port, string serverName)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => fixture.Trusted(certificate),
        });
        return new X509Certificate2(tls.RemoteCertificate!);
    }

    private static async Task CreateCertificateAsync(EdgeNode edge, TestCertificate certificate, params string[] snis) =>
        await edge.Admin.CreateAsync("/certificates", new { cert = certificate.ChainPem, key = certificate.KeyPem, snis });

    [Fact]
    public async Task Each_name_gets_its_certificate_exact_then_wildcard_then_the_default()
    {
        var exact = TestCertificates.Leaf(fixture.Ca, [$"{_name}.test"], ecdsa: true);
        var wildcard = TestCertificates.Leaf(fixture.Ca, [$"*.{_name}.wild"]);
        await CreateCertificateAsync(fixture.Edge, exact, $"{_name}.test");
        await CreateCertificateAsync(fixture.Edge, wildcard, $"*.{_name}.wild");
        await Poll.UntilAsync(async () => (await ServedAsync(fixture.HttpsPort, $"x.{_name}.wild")).Thumbprint == wildcard.Certificate.Thumbprint, TimeSpan.FromSeconds(20), "the wildcard");

        Assert.Equal(exact.Certificate.Thumbprint, (await ServedAsync(fixture.HttpsPort, $"{_name}.test")).Thumbprint);
        Assert.Equal(exact.Certificate.Thumbprint, (await ServedAsync(fixture.HttpsPort, $"{_name.ToUpperInvariant()}.TEST")).Thumbprint);
        Assert.Equal(wildcard.Certificate.Thumbprint, (await ServedAsync(fixture.HttpsPort, $"api.{_name}.wild")).Thumbprint);
        Assert.Contains("default.test", (await ServedAsync(fixture.HttpsPort, $"a.b.{_name}.wild")).Subject, StringComparison.Ordinal); // one label only
        Assert.Contains("default.test", (await ServedAsync(fixture.HttpsPort, "nobody.test")).Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Curl_with_resolve_gets_the_names_certificate_over_http2()
    {
        var certificate = TestCertificates.Leaf(fixture.Ca, [$"{_name}.curl"]);
        await CreateCertificateAsync(fixture.Edge, certificate, $"{_name}.curl");
        var ca = Path.Combine(Directory.CreateTempSubdirectory("turnpike-test-ca-").FullName, "ca.pem");
        await File.WriteAllTextAsync(ca, fixture.Ca.CertPem);
        await Poll.UntilAsync(async () => (await ServedAsync(fixture.HttpsPort, $"{_name}.curl")).Thumbprint == certificate.Certificate.Thumbprint, TimeSpan.FromSeconds(20), "the certificate");

        // curl checks the chain against the test CA and the name against the certificate: any other certificate fails it.
        var (exitCode, output, error) = await ToolProcess.RunAsync("curl", "-sS", "--http2", "--resolve", $"{_name}.curl:{fixture.HttpsPort}:127.0.0.1", "--cacert", ca,
            "-o", "/dev/null", "-w", "%{http_code} %{http_version}", $"https://{_name}.curl:{fixture.HttpsPort}/any/curl");
        Assert.True(exitCode == 0, error);
        Assert.Equal("200 2", output);
    }

    [Fact]
    public async Task A_changed_certificate_is_served_to_new_handshakes_while_open_connections_keep_working()
    {
        var first = TestCertificates.Leaf(fixture.Ca, [$"{_name}.swap"]);
        var second = TestCertificates.Leaf(fixture.Ca, [$"{_name}.swap"]);
        await CreateCertificateAsync(fixture.Edge, first, $"{_name}.swap");
        await Poll.UntilAsync(async () => (await ServedAsync(fixture.HttpsPort, $"{_name}.swap")).Thumbprint == first.Certificate.Thumbprint, TimeSpan.FromSeconds(20), "the first certificate");

        using var client = fixture.Client(HttpVersion.Version20, $"{_name}.swap");
        using (var before = await client.GetAsync($"https://127.0.0.1:{fixture.HttpsPort}/any/before"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var (status, _) = await fixture.Edge.Admin.SendJsonAsync(HttpMethod.Patch, $"/certificates/{_name}.swap", new { cert = second.ChainPem, key = second.KeyPem });
        Assert.Equal(200, status);
        await Poll.UntilAsync(async () => (await ServedAsync(fixture.HttpsPort, $"{_name}.swap")).Thumbprint == second.Certificate.Thumbprint, TimeSpan.FromSeconds(20), "the second certificate");

        // The HTTP/2 connection made before the change is still the one in use, and still answers.
        using var after = await client.GetAsync($"https://127.0.0.1:{fixture.HttpsPort}/any/after");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }
}

/// <summary>A certificate written through one edge is served by another edge of the cluster, without a restart.</summary>
public sealed class ClusterCertificateTests
{
    [Fact]
    public async Task A_certificate_added_through_one_edge_is_served_by_every_edge_without_restart()
    {
        var ca = TestCertificates.Ca();
        await using var silo = await SiloNode.StartAsync();
        var ports = new[] { FreePorts.Next(), FreePorts.Next() };
        await using var first = await EdgeNode.StartClientAsync([silo], extraEnvironment: new() { ["Turnpike__Proxy__Urls"] = $"https://127.0.0.1:{ports[0]}" });
        await using var second = await EdgeNode.StartClientAsync([silo], extraEnvironment: new() { ["Turnpike__Proxy__Urls"] = $"https://127.0.0.1:{ports[1]}" });
        var certificate = TestCertificates.Leaf(ca, ["cluster.test"]);
        await first.Admin.CreateAsync("/certificates", new { cert = certificate.ChainPem, key = certificate.KeyPem, snis = new[] { "cluster.test" } });

        foreach (var port in ports)
        {
            string? thumbprint = null;
            await Poll.UntilAsync(async () => (thumbprint = await ServedAsync(port)) == certificate.Certificate.Thumbprint, TimeSpan.FromSeconds(30), $"the certificate on port {port}");
        }

        async Task<string?> ServedAsync(int port)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port);
                await using var tls = new SslStream(tcp.GetStream());
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = "cluster.test",
                    RemoteCertificateValidationCallback = (_, served, _, _) => served is not null, // compared by thumbprint below
                });
                return new X509Certificate2(tls.RemoteCertificate!).Thumbprint;
            }
            catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
            {
                return null; // no certificate yet: the handshake fails
            }
        }
    }
}
