using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.Grpc;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>
/// TLS from a real edge to upstreams, configured through the admin API (<c>/ca_certificates</c>, <c>/certificates</c>,
/// the service's <c>tls_verify</c>, <c>ca_certificates</c>, <c>client_certificate</c>), against Kestrel upstreams with
/// certificates made by the test.
/// </summary>
[Collection(DevGatewayCollection.Name)]
public sealed class UpstreamTlsTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "tls-" + Guid.NewGuid().ToString("N")[..8];
    private readonly TestCertificate _ca = TestCertificates.Ca("Upstream TLS CA");

    /// <summary>An https service to <paramref name="upstream"/> (as <c>localhost</c>) with <paramref name="fields"/>, and its route; returns once routed.</summary>
    private async Task RouteAsync(GrpcUpstream upstream, object? fields = null)
    {
        var service = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(fields ?? new { }))!.AsObject();
        service["name"] = _name;
        service["url"] = $"https://localhost:{upstream.Port}";
        service["retries"] = 0;
        await _admin.CreateAsync("/services", service);
        await _admin.CreateAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } });
        using var routed = await _proxy.EventuallyAsync($"/{_name}", r => r.StatusCode != HttpStatusCode.NotFound);
    }

    private async Task<string> CaIdAsync(TestCertificate ca)
    {
        var (status, body) = await _admin.PostJsonAsync("/ca_certificates", new { cert = ca.CertPem });
        Assert.True(status == 201, body?.ToJsonString());
        return body!["id"]!.GetValue<string>();
    }

    private async Task<JsonObject> EchoAsync()
    {
        using var response = await _proxy.GetAsync($"/{_name}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    [Fact]
    public async Task By_default_an_upstream_the_system_does_not_trust_is_a_502()
    {
        await using var upstream = await GrpcUpstream.StartTlsAsync(TestCertificates.Leaf(null, ["localhost"]));
        await RouteAsync(upstream);
        using var response = await _proxy.GetAsync($"/{_name}");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("An invalid response was received from the upstream server", (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ca_certificates_with_the_upstreams_ca_make_it_trusted_and_sni_is_the_service_host()
    {
        await using var upstream = await GrpcUpstream.StartTlsAsync(TestCertificates.Leaf(_ca, ["localhost"]));
        await RouteAsync(upstream, new { ca_certificates = new[] { await CaIdAsync(_ca) } });
        var echo = await EchoAsync();
        Assert.Equal("localhost", echo["sni"]!.GetValue<string>());
        Assert.Equal("HTTP/1.1", echo["protocol"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ca_certificates_of_another_ca_refuse_the_upstream()
    {
        await using var upstream = await GrpcUpstream.StartTlsAsync(TestCertificates.Leaf(_ca, ["localhost"]));
        await RouteAsync(upstream, new { ca_certificates = new[] { await CaIdAsync(TestCertificates.Ca("Some Other CA")) } });
        using var response = await _proxy.GetAsync($"/{_name}");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task Tls_verify_false_accepts_a_self_signed_upstream()
    {
        await using var upstream = await GrpcUpstream.StartTlsAsync(TestCertificates.Leaf(null, ["localhost"]));
        await RouteAsync(upstream, new { tls_verify = false });
        await EchoAsync();
    }

    [Fact]
    public async Task An_upstream_requiring_a_client_certificate_refuses_without_one_and_accepts_the_services_client_certificate()
    {
        var clientCa = TestCertificates.Ca("Client CA");
        await using var upstream = await GrpcUpstream.StartTlsAsync(TestCertificates.Leaf(_ca, ["localhost"]), clientAuthority: clientCa);
        var caId = await CaIdAsync(_ca);
        await RouteAsync(upstream, new { ca_certificates = new[] { caId } });
        using (var refused = await _proxy.GetAsync($"/{_name}"))
        {
            Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        }

        var leaf = TestCertificates.Leaf(clientCa, ["edge.client.test"]);
        var (status, certificate) = await _admin.PostJsonAsync("/certificates", new { cert = leaf.CertPem, key = leaf.KeyPem });
        Assert.True(status == 201, certificate?.ToJsonString());
        var (patched, body) = await _admin.SendJsonAsync(HttpMethod.Patch, $"/services/{_name}", new { client_certificate = new { id = certificate!["id"]!.GetValue<string>() } });
        Assert.True(patched == 200, body?.ToJsonString());

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var response = await _proxy.GetAsync($"/{_name}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal("CN=edge.client.test", (await response.Content.ReadFromJsonAsync<JsonObject>())!["client_certificate"]!.GetValue<string>());
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"still {(int)response.StatusCode} after the change");
            await Task.Delay(100);
        }
    }
}
