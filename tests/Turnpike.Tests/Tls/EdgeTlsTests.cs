using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Tls;

/// <summary>An edge with TLS and HTTP/2 listeners, as real clients meet it: HttpClient, SslStream, certificates made by the test.</summary>
public sealed class TlsEdgeFixture : IAsyncLifetime
{
    internal TestCertificate Ca { get; } = TestCertificates.Ca();

    internal EdgeNode Edge { get; private set; } = null!;

    internal UpstreamServer Upstream { get; private set; } = null!;

    internal int HttpsPort { get; } = FreePorts.Next();

    internal int H2cPort { get; } = FreePorts.Next();

    internal int AdminHttpsPort { get; } = FreePorts.Next();

    public async Task InitializeAsync()
    {
        Upstream = await UpstreamServer.StartAsync();
        var (certificate, key) = TestCertificates.Leaf(Ca, ["default.test", "127.0.0.1"], ecdsa: true).WriteFiles();
        Edge = await EdgeNode.StartDevAsync(new Dictionary<string, string>
        {
            ["Turnpike__Proxy__Urls"] = $"https://127.0.0.1:{HttpsPort};h2c://127.0.0.1:{H2cPort}",
            ["Turnpike__Proxy__Certificate__Path"] = certificate,
            ["Turnpike__Proxy__Certificate__KeyPath"] = key,
            ["Turnpike__Admin__Urls"] = $"https://127.0.0.1:{AdminHttpsPort}",
            ["Turnpike__Admin__Certificate__Path"] = certificate,
            ["Turnpike__Admin__Certificate__KeyPath"] = key,
        });
        await Edge.Admin.CreateAsync("/services", new { name = "tls", url = Upstream.Url });
        await Edge.Admin.CreateAsync("/services/tls/routes", new { name = "tls-any", paths = new[] { "/any" } });
        await Edge.Admin.CreateAsync("/services/tls/routes", new { name = "tls-moved", paths = new[] { "/moved" }, protocols = new[] { "https" }, https_redirect_status_code = 301 });
        await Edge.Admin.CreateAsync("/services/tls/routes", new { name = "tls-only", paths = new[] { "/secure" }, protocols = new[] { "https" } });
        using var ready = await Edge.Proxy.EventuallyAsync("/secure", r => r.StatusCode == (HttpStatusCode)426); // the last route, so all are there
    }

    /// <summary>A client that trusts only the test CA and sends <paramref name="version"/> exactly.</summary>
    internal HttpClient Client(Version version, string? host = null) => new(new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, cert, _, _) => Trusted(cert), TargetHost = host },
    })
    {
        DefaultRequestVersion = version,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(20),
    };

    internal bool Trusted(X509Certificate? certificate)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca.Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(certificate));
    }

    public async Task DisposeAsync()
    {
        await Edge.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}

public sealed class EdgeTlsTests(TlsEdgeFixture fixture) : IClassFixture<TlsEdgeFixture>
{
    [Fact]
    public async Task Https_listener_serves_the_default_certificate_and_speaks_http2_by_alpn_and_http11()
    {
        foreach (var version in new[] { HttpVersion.Version20, HttpVersion.Version11 })
        {
            using var client = fixture.Client(version);
            using var response = await client.GetAsync($"https://127.0.0.1:{fixture.HttpsPort}/any/x");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(version, response.Version);
            var echo = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal("https", echo["headers"]!["x-forwarded-proto"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_route_for_https_only_answers_plain_http_with_426_or_its_redirect_and_https_with_the_upstream()
    {
        using var plain = await fixture.Edge.Proxy.GetAsync("/secure/a?b=1");
        Assert.Equal((HttpStatusCode)426, plain.StatusCode);
        Assert.Contains("Please use HTTPS protocol", await plain.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var noRedirects = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.Edge.Proxy.BaseAddress };
        using var moved = await noRedirects.GetAsync("/moved/a%2Fb?c=1");
        Assert.Equal(HttpStatusCode.MovedPermanently, moved.StatusCode);
        Assert.Equal($"https://127.0.0.1/moved/a%2Fb?c=1", moved.Headers.Location!.OriginalString);

        using var client = fixture.Client(HttpVersion.Version20);
        using var secure = await client.GetAsync($"https://127.0.0.1:{fixture.HttpsPort}/secure/a");
        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
    }

    [Fact]
    public async Task H2c_listener_speaks_http2_with_prior_knowledge()
    {
        using var client = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await client.GetAsync($"http://127.0.0.1:{fixture.H2cPort}/any/h2c");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        var echo = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("http", echo["headers"]!["x-forwarded-proto"]!.GetValue<string>());
    }

    [Fact]
    public async Task Handshakes_complete_over_TLS_12_and_13_and_choose_h2_by_alpn()
    {
        foreach (var protocol in new[] { SslProtocols.Tls12, SslProtocols.Tls13 })
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", fixture.HttpsPort);
            await using var tls = new SslStream(tcp.GetStream());
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "default.test",
                EnabledSslProtocols = protocol,
                RemoteCertificateValidationCallback = (_, cert, _, _) => fixture.Trusted(cert),
                ApplicationProtocols = [SslApplicationProtocol.Http2],
            });
            Assert.True(tls.IsAuthenticated);
            Assert.Equal(protocol, tls.SslProtocol);
            Assert.Equal(SslApplicationProtocol.Http2, tls.NegotiatedApplicationProtocol);
        }
    }

    [Fact]
    public async Task The_admin_api_answers_over_https_with_its_certificate_from_files()
    {
        using var client = fixture.Client(HttpVersion.Version11);
        using var response = await client.GetAsync($"https://127.0.0.1:{fixture.AdminHttpsPort}/services/tls");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"name\":\"tls\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

/// <summary>TLS set-ups an edge refuses or that fail a handshake cleanly.</summary>
public sealed class EdgeTlsRefusalTests
{
    [Fact]
    public async Task A_handshake_for_a_name_without_certificate_and_no_default_fails_and_the_edge_keeps_serving()
    {
        var httpsPort = FreePorts.Next();
        await using var edge = await EdgeNode.StartDevAsync(new Dictionary<string, string> { ["Turnpike__Proxy__Urls"] = $"https://127.0.0.1:{httpsPort}" });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", httpsPort);
        await using var tls = new SslStream(tcp.GetStream());
        await Assert.ThrowsAnyAsync<Exception>(() => tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "nobody.test",
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null, // any certificate would do: none must come
        }));

        using var status = await edge.Status.GetAsync("/status");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
    }

    [Fact]
    public async Task An_https_admin_listener_without_a_certificate_stops_the_edge_with_exit_code_2_naming_the_key()
    {
        var (code, output) = await EdgeNode.RunDevUntilExitAsync(TimeSpan.FromSeconds(60), $"--Turnpike:Admin:Urls=https://127.0.0.1:{FreePorts.Next()}");
        Assert.Equal(2, code);
        Assert.Contains("Turnpike:Admin:Certificate", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
