using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Turnpike.Regions;
using Turnpike.Tests.EndToEnd.Regions;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>
/// Two regions whose link is https:// with mutual TLS, certificates made here: us (home, a silo) and eu (a silo and an
/// edge). Each process has its own certificate from the regions' CA.
/// </summary>
public sealed class RegionLinkTlsFixture : IAsyncLifetime
{
    internal TestCertificate Ca { get; } = TestCertificates.Ca("Turnpike Regions Test CA");

    internal SiloNode UsSilo { get; private set; } = null!;

    internal SiloNode EuSilo { get; private set; } = null!;

    internal EdgeNode EuEdge { get; private set; } = null!;

    internal UpstreamServer Upstream { get; private set; } = null!;

    internal string UsLink { get; private set; } = "";

    /// <summary>A process's TLS settings: its own certificate for 127.0.0.1 from <paramref name="ca"/>, and the regions' CA.</summary>
    internal Dictionary<string, string> Tls(TestCertificate? ca = null)
    {
        using var leaf = TestCertificates.Leaf(ca ?? Ca, ["127.0.0.1"], ecdsa: true);
        var (certificate, key) = leaf.WriteFiles();
        var caPath = Path.Combine(Path.GetDirectoryName(certificate)!, "ca.pem");
        File.WriteAllText(caPath, Ca.CertPem);
        return new()
        {
            ["Turnpike__Regions__Tls__Certificate"] = certificate,
            ["Turnpike__Regions__Tls__Key"] = key,
            ["Turnpike__Regions__Tls__Ca"] = caPath,
        };
    }

    private Dictionary<string, string> Environment(string region, string peer, string peerLink, string? linkUrl = null) =>
        new(TwoRegionFixture.RegionEnvironment(region, peer, peerLink, linkUrl).Concat(Tls()));

    public async Task InitializeAsync()
    {
        Upstream = await UpstreamServer.StartAsync();
        int usLink = FreePorts.Next(), euLink = FreePorts.Next();
        UsLink = $"https://127.0.0.1:{usLink}";
        var euLinkUrl = $"https://127.0.0.1:{euLink}";
        var silos = await Task.WhenAll(
            SiloNode.StartAsync(extraEnvironment: Environment("us", "eu", euLinkUrl, UsLink)),
            SiloNode.StartAsync(extraEnvironment: Environment("eu", "us", UsLink, euLinkUrl)));
        (UsSilo, EuSilo) = (silos[0], silos[1]);
        EuEdge = await EdgeNode.StartClientAsync([EuSilo], extraEnvironment: Environment("eu", "us", UsLink));
    }

    public async Task DisposeAsync()
    {
        foreach (var node in new IAsyncDisposable?[] { EuEdge, EuSilo, UsSilo, Upstream })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        Ca.Dispose();
    }
}

public sealed class RegionLinkTlsTests(RegionLinkTlsFixture fixture) : IClassFixture<RegionLinkTlsFixture>
{
    private HttpClient Client(X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler { UseProxy = false };
        // The client knows the server is the regions' (the test is about what the server lets in).
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.Issuer == fixture.Ca.Certificate.Subject;
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return new HttpClient(handler) { BaseAddress = new Uri(fixture.UsLink), Timeout = TimeSpan.FromSeconds(10), DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
    }

    [Fact]
    public async Task A_write_through_the_non_home_region_crosses_the_mutual_tls_link_and_is_served_there()
    {
        var name = "tls-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.EuEdge.Admin.CreateAsync("/services", new { name, url = fixture.Upstream.Url });
        await fixture.EuEdge.Admin.CreateAsync($"/services/{name}/routes", new { paths = new[] { "/" + name } });

        using var served = await fixture.EuEdge.Proxy.GetAsync("/" + name);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task Link_over_tls_refuses_a_client_without_a_certificate_during_the_handshake()
    {
        using var client = Client(null);

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(RegionLinkPaths.Home));

        // No HTTP answer at all, and not for want of a listener. What the client sees depends on when the server's alert
        // reaches it: during its handshake, or (TLS 1.3, where the client finishes first) once HTTP/2's first frames
        // meet the closed connection, which the client reports as an HTTP/2 connection that was never established.
        Assert.NotEqual(HttpRequestError.ConnectionError, failure.HttpRequestError);
        Assert.True(
            failure.InnerException is AuthenticationException or IOException
                || failure.HttpRequestError is HttpRequestError.SecureConnectionError or HttpRequestError.ResponseEnded
                || (failure.HttpRequestError == HttpRequestError.Unknown && failure.InnerException is null && failure.Message.Contains("HTTP/2", StringComparison.Ordinal)),
            failure.ToString());
    }

    [Fact]
    public async Task Link_over_tls_refuses_a_client_certificate_from_another_ca_during_the_handshake()
    {
        using var rogueCa = TestCertificates.Ca("Rogue CA");
        using var rogue = TestCertificates.Leaf(rogueCa, ["127.0.0.1"], ecdsa: true);
        using var client = Client(rogue.Certificate);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(RegionLinkPaths.Home));
    }

    [Fact]
    public async Task Link_over_tls_still_wants_the_signature_from_a_client_the_ca_issued()
    {
        using var member = TestCertificates.Leaf(fixture.Ca, ["127.0.0.1"], ecdsa: true);
        using var client = Client(member.Certificate);

        using var response = await client.GetAsync(RegionLinkPaths.Home);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Link_over_tls_does_not_speak_cleartext_http2()
    {
        using var plain = new HttpClient(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = new Uri(fixture.UsLink.Replace("https://", "http://", StringComparison.Ordinal)),
            Timeout = TimeSpan.FromSeconds(10),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync(RegionLinkPaths.Home));
    }
}
