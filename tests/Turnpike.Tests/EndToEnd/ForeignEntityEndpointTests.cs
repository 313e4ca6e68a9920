using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>Kong's foreign-key endpoints (<c>/snis/{sni}/certificate</c>, <c>/services/{s}/client_certificate</c>, <c>/plugins/{p}/service</c>…).</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class ForeignEntityEndpointTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly string _name = "fk" + Guid.NewGuid().ToString("N")[..8];

    private async Task<string> CertificateAsync(params string[] snis)
    {
        var (status, body) = await _admin.PostJsonAsync("/certificates", new { cert = EndToEndCertificates.Rsa.ChainPem, key = EndToEndCertificates.Rsa.KeyPem, snis, tags = new[] { _name } });
        Assert.True(status == 201, body?.ToJsonString());
        return body!["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task Sni_certificate_is_read_and_patched_through_the_sni_by_name_or_id()
    {
        var id = await CertificateAsync($"{_name}.test");
        var (status, certificate) = await _admin.GetJsonAsync($"/snis/{_name}.test/certificate");
        Assert.Equal(200, status);
        Assert.Equal((id, $"{_name}.test"), (certificate!["id"]!.GetValue<string>(), certificate["snis"]![0]!.GetValue<string>()));
        var sniId = (await _admin.GetJsonAsync($"/snis/{_name}.test")).Body!["id"]!.GetValue<string>();
        Assert.Equal(id, (await _admin.GetJsonAsync($"/snis/{sniId}/certificate")).Body!["id"]!.GetValue<string>());

        var (patched, patchedBody) = await _admin.SendJsonAsync(HttpMethod.Patch, $"/snis/{_name}.test/certificate", new { tags = new[] { _name, "patched" } });
        Assert.Equal(200, patched);
        Assert.Equal(2, patchedBody!["tags"]!.AsArray().Count);
        Assert.Equal(id, patchedBody["id"]!.GetValue<string>());

        Assert.Equal(405, (await _admin.SendJsonAsync(HttpMethod.Delete, $"/snis/{_name}.test/certificate")).Status);
        Assert.Equal(200, (await _admin.GetJsonAsync($"/certificates/{id}")).Status); // not deleted
        Assert.Equal(404, (await _admin.GetJsonAsync($"/snis/{_name}.nope/certificate")).Status);
    }

    [Fact]
    public async Task Service_client_certificate_is_read_and_404_without_one()
    {
        var id = await CertificateAsync();
        await _admin.CreateAsync("/services", new { name = _name, url = "https://127.0.0.1:9", client_certificate = new { id } });
        await _admin.CreateAsync("/services", new { name = _name + "-plain", url = "https://127.0.0.1:9" });

        var (status, certificate) = await _admin.GetJsonAsync($"/services/{_name}/client_certificate");
        Assert.Equal(200, status);
        Assert.Equal(id, certificate!["id"]!.GetValue<string>());
        Assert.Equal(404, (await _admin.GetJsonAsync($"/services/{_name}-plain/client_certificate")).Status);
        Assert.Equal(404, (await _admin.GetJsonAsync($"/services/{_name}-missing/client_certificate")).Status);
        Assert.Equal(404, (await _admin.SendJsonAsync(HttpMethod.Delete, $"/services/{_name}-plain/client_certificate")).Status);
    }

    [Fact]
    public async Task Plugin_service_and_route_service_are_read_and_patched()
    {
        await _admin.CreateAsync("/services", new { name = _name, url = "http://127.0.0.1:9" });
        var (_, route) = await _admin.PostJsonAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } });
        var (_, plugin) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "cors" });

        Assert.Equal(_name, (await _admin.GetJsonAsync($"/plugins/{plugin!["id"]}/service")).Body!["name"]!.GetValue<string>());
        Assert.Equal(404, (await _admin.GetJsonAsync($"/plugins/{plugin["id"]}/route")).Status);
        var (patched, service) = await _admin.SendJsonAsync(HttpMethod.Patch, $"/routes/{route!["id"]}/service", new { retries = 3 });
        Assert.Equal((200, 3), (patched, service!["retries"]!.GetValue<int>()));
        Assert.Equal(405, (await _admin.SendJsonAsync(HttpMethod.Delete, $"/routes/{route["id"]}/service")).Status);
    }
}
