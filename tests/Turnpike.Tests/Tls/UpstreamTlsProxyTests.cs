using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.RouteTable;
using Turnpike.Tests.Grpc;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Tls;

/// <summary>
/// TLS towards upstreams through the proxy pipeline, in process: https services against Kestrel upstreams with test
/// certificates; verification by default, by the service's CAs, off, by depth; client certificates; SNI.
/// </summary>
public sealed class UpstreamTlsProxyTests : IAsyncLifetime
{
    private readonly TestCertificate _root = TestCertificates.Ca();
    private readonly Guid _serviceId = Guid.NewGuid();
    private readonly Guid _routeId = Guid.NewGuid();
    private InProcessProxy _proxy = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _proxy = await InProcessProxy.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_proxy.Url), DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _proxy.DisposeAsync();
    }

    private static CaCertificateEntity Authority(TestCertificate ca) => new() { Id = Guid.NewGuid(), Cert = ca.CertPem, CertDigest = ca.Digest };

    /// <summary>A certificate entity with the certificate's chain (its intermediates), as Kong's <c>cert</c> holds it.</summary>
    private static CertificateEntity Certificate(TestCertificate certificate) => new() { Id = Guid.NewGuid(), Cert = certificate.ChainPem, Key = certificate.KeyPem };

    /// <summary>The https service (always the same one, replaced) for <paramref name="upstream"/> at <paramref name="host"/> and a route <c>/tls</c> to it; extra entities first.</summary>
    private void Serve(GrpcUpstream upstream, Func<ServiceEntity, ServiceEntity>? configure = null, string host = "localhost", params GatewayEntity[] extra)
    {
        var service = new ServiceEntity { Id = _serviceId, Name = "tls", Protocol = "https", Host = host, Port = upstream.Port, Retries = 0 };
        service = configure?.Invoke(service) ?? service;
        _proxy.Upsert([.. extra, service, new RouteEntity { Id = _routeId, Paths = ["/tls"], ServiceId = service.Id }]);
    }

    private async Task<JsonObject> EchoAsync()
    {
        using var response = await _client.GetAsync("/tls");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()} / {string.Join(" | ", _proxy.Log)}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task AssertRefusedAsync(string reason)
    {
        using var response = await _client.GetAsync("/tls");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("""{"message":"An invalid response was received from the upstream server"}""", await response.Content.ReadAsStringAsync());
        var line = Assert.Single(_proxy.Log, l => l.StartsWith("2800 ", StringComparison.Ordinal));
        Assert.True(line.Contains(reason, StringComparison.Ordinal), line);
    }

    [Fact]
    public async Task By_default_a_self_signed_upstream_is_refused_with_502_and_one_line_naming_the_reason()
    {
        await using var upstream = await GrpcUpstream.StartTlsAsync(TestCertificates.Leaf(null, ["localhost"]));
        Serve(upstream);
        await AssertRefusedAsync("errors in the certificate chain: UntrustedRoot");
    }

    [Fact]
    public async Task The_services_ca_certificates_make_an_upstream_they_issued_trusted()
    {
        await using var upstream = await GrpcUpstream.StartTlsAsync(TestCertificates.Leaf(_root, ["localhost"]));
        var ca = Authority(_root);
        Serve(upstream, s => s with { CaCertificates = [ca.Id] }, extra: ca);
        var echo = await EchoAsync();
        Assert.Equal("HTTP/1.1", echo["protocol"]!.GetValue<string>());
    }

    [Fact]
    public async Task Only_the_services_ca_certificates_are_trusted()
    {
        await using var upstream = await GrpcUpstream.StartTlsAsync(TestCertificates.Leaf(_root, ["localhost"]));
        var other = Authority(TestCertificates.Ca("Another Root"));
        Serve(upstream, s => s with { CaCertificates = [other.Id] }, extra: other);
        await AssertRefusedAsync("errors in the certificate chain: PartialChain"); // no root of its own: the system's are not asked
    }

    [Fact]
    public async Task A_service_whose_ca_certificates_are_gone_trusts_nothing()
    {
        await using var upstream = await GrpcUpstream.StartTlsAsync(TestCertificates.Leaf(_root, ["localhost"]));
        Serve(upstream, s => s with { CaCertificates = [Guid.NewGuid()] });
        await AssertRefusedAsync("errors in the certificate chain: PartialChain");
    }

    [Fact]
    public async Task The_host_name_is_verified_against_the_upstreams_certificate()
    {
        await using var upstream = await GrpcUpstream.StartTlsAsync(TestCertificates.Leaf(_root, ["elsewhere.test"]));
        var ca = Authority(_root);
        Serve(upstream, s => s with { CaCertificates = [ca.Id] }, extra: ca);
        await AssertRefusedAsync("RemoteCertificateNameMismatch");
    }

    [Fact]
    public async Task Tls_verify_false_accepts_any_certificate()
    {
        await using var upstream = await GrpcUpstream.StartTlsAsync(TestCertificates.Leaf(null, ["elsewhere.test"]));
        Serve(upstream, s => s with { TlsVerify = false });
        await EchoAsync();
    }

    [Fact]
    public async Task Tls_verify_depth_limits_the_intermediates_between_the_upstream_and_its_root()
    {
        var intermediate = TestCertificates.Intermediate(_root);
        await using var upstream = await GrpcUpstream.StartTlsAsync(TestCertificates.Leaf(intermediate, ["localhost"])); // sent with its intermediate
        var ca = Authority(_root);
        Serve(upstream, s => s with { CaCertificates = [ca.Id], TlsVerifyDepth = 1 }, extra: ca);
        await EchoAsync();

        Serve(upstream, s => s with { CaCertificates = [ca.Id], TlsVerifyDepth = 0 });
        await AssertRefusedAsync("more than tls_verify_depth 0 allows");
    }

    [Fact]
    public async Task An_upstream_requiring_a_client_certificate_refuses_without_one_and_accepts_the_services()
    {
        var clients = TestCertificates.Ca("Client Root");
        await using var upstream = await GrpcUpstream.StartTlsAsync(TestCertificates.Leaf(_root, ["localhost"]), clientAuthority: clients);
        var ca = Authority(_root);
        Serve(upstream, s => s with { CaCertificates = [ca.Id] }, extra: ca);
        using (var refused = await _client.GetAsync("/tls"))
        {
            Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        }

        var clientIntermediate = TestCertificates.Intermediate(clients, "Client Intermediate");
        var certificate = Certificate(TestCertificates.Leaf(clientIntermediate, ["edge-7"])); // presented with its intermediate
        Serve(upstream, s => s with { CaCertificates = [ca.Id], ClientCertificateId = certificate.Id }, extra: certificate);
        var echo = await EchoAsync();
        Assert.Equal("CN=edge-7", echo["client_certificate"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sni_is_the_service_host_and_an_ip_address_sends_none()
    {
        await using var upstream = await GrpcUpstream.StartTlsAsync(TestCertificates.Leaf(_root, ["localhost", "127.0.0.1"]));
        var ca = Authority(_root);
        Serve(upstream, s => s with { CaCertificates = [ca.Id] }, extra: ca);
        Assert.Equal("localhost", (await EchoAsync())["sni"]!.GetValue<string>());

        Serve(upstream, s => s with { CaCertificates = [ca.Id] }, host: "127.0.0.1");
        Assert.Equal("", (await EchoAsync())["sni"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sni_to_an_upstreams_target_is_its_host_header()
    {
        await using var upstream = await GrpcUpstream.StartTlsAsync(TestCertificates.Leaf(_root, ["api.internal.test"]));
        var ca = Authority(_root);
        var balanced = new UpstreamEntity { Id = Guid.NewGuid(), Name = "tls-pool", HostHeader = "api.internal.test" };
        var target = new TargetEntity { Id = Guid.NewGuid(), UpstreamId = balanced.Id, Target = $"127.0.0.1:{upstream.Port}" };
        Serve(upstream, s => s with { CaCertificates = [ca.Id] }, host: "tls-pool", ca, balanced, target);
        var echo = await EchoAsync();
        Assert.Equal("api.internal.test", echo["sni"]!.GetValue<string>());
        Assert.Equal($"api.internal.test:{upstream.Port}", echo["host"]!.GetValue<string>());
    }
}
