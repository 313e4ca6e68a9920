using System.Net;
using Turnpike.Tests.EndToEnd;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>The admin entry points added with TLS and plugin schemas, fed what an attacker would: each a 4xx, nothing stored.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class AdminEntryPointTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;

    private async Task<int> CountAsync(string path) => (await _admin.GetJsonAsync(path)).Body!["data"]!.AsArray().Count;

    [Fact]
    public async Task Certificates_with_NUL_huge_garbage_or_non_ASCII_names_get_400_and_nothing_is_stored()
    {
        var ca = TestCertificates.Ca();
        var leaf = TestCertificates.Leaf(ca, ["entry.test"]);
        var certificates = await CountAsync("/certificates?size=1000");
        var snis = await CountAsync("/snis?size=1000");

        var cases = new object[]
        {
            new { cert = leaf.CertPem.Insert(40, "\0"), key = leaf.KeyPem },
            new { cert = "-----BEGIN CERTIFICATE-----\n" + new string('A', 1_000_000) + "\n-----END CERTIFICATE-----\n", key = leaf.KeyPem },
            new { cert = leaf.CertPem, key = leaf.KeyPem, snis = new[] { "café.test" } },
            new { cert = leaf.CertPem, key = leaf.KeyPem, snis = new[] { "entry.test\r\nX-Evil: 1" } },
            new { cert = leaf.CertPem, key = leaf.KeyPem, snis = new[] { "entry.test", "entry.test" } },
        };
        foreach (var body in cases)
        {
            var (status, error) = await _admin.PostJsonAsync("/certificates", body);
            Assert.True(status is 400 or 409, $"{status} {error?.ToJsonString()}");
            Assert.NotNull(error!["message"]);
        }

        Assert.Equal(certificates, await CountAsync("/certificates?size=1000"));
        Assert.Equal(snis, await CountAsync("/snis?size=1000"));
    }

    [Fact]
    public async Task A_service_naming_unknown_or_malformed_certificate_ids_gets_400_and_is_not_stored()
    {
        var name = "entry-" + Guid.NewGuid().ToString("N")[..8];
        var (malformed, _) = await _admin.PostJsonAsync("/services", new { name, url = "https://127.0.0.1:9", ca_certificates = new[] { "not-a-uuid\r\n" } });
        var (unknown, _) = await _admin.PostJsonAsync("/services", new { name, url = "https://127.0.0.1:9", client_certificate = new { id = Guid.NewGuid() } });
        Assert.Equal(400, malformed);
        Assert.Equal(400, unknown);
        Assert.Equal(404, (await _admin.GetJsonAsync($"/services/{name}")).Status);
    }

    [Fact]
    public async Task A_plugin_schema_asked_for_with_CR_LF_in_its_name_is_a_404_that_builds_no_header()
    {
        using var response = await _admin.GetAsync("/schemas/plugins/key-auth%0D%0AX-Evil:%201");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Evil"));
        Assert.Contains("\"message\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schema_validation_fed_garbage_answers_4xx_and_stores_nothing()
    {
        var services = await CountAsync("/services?size=1000");
        var deep = new string('[', 10_000) + new string(']', 10_000);
        var cases = new (string Path, HttpContent Body)[]
        {
            ("/schemas/services/validate", new StringContent(deep, System.Text.Encoding.UTF8, "application/json")),
            ("/schemas/services/validate", new StringContent("{\"name\":\"a\u0000b\",\"host\":\"h\"}", System.Text.Encoding.UTF8, "application/json")),
            ("/schemas/services/validate", new StringContent("{\"url\":\"http://h\r\nX-Evil: 1/\"}", System.Text.Encoding.UTF8, "application/json")),
            ("/schemas/routes/validate", new StringContent("{\"paths\":[\"~/(a)\\\\1\"]}", System.Text.Encoding.UTF8, "application/json")),
            ("/schemas/plugins/validate", new StringContent("{\"name\":\"key-auth\",\"config\":" + deep + "}", System.Text.Encoding.UTF8, "application/json")),
            ("/schemas/services%0D%0AX-Evil:%201/validate", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")),
        };
        foreach (var (path, body) in cases)
        {
            using var response = await _admin.PostAsync(path, body);
            Assert.True((int)response.StatusCode is 400 or 404, $"{path}: {(int)response.StatusCode}");
            Assert.False(response.Headers.Contains("X-Evil"));
        }

        Assert.Equal(services, await CountAsync("/services?size=1000"));
    }

    [Fact]
    public async Task Tag_listings_and_target_verdicts_fed_garbage_answer_4xx_and_build_no_header()
    {
        var tags = await CountAsync("/tags?size=1000");
        string[] paths =
        [
            "/tags/a%0D%0AX-Evil:%201",
            "/tags/a%00b",
            "/tags/" + new string('t', 20_000),
            "/tags?offset=" + new string('A', 5_000),
            "/tags?offset=%0D%0A",
            "/tags?size=99999999999999999999",
        ];
        foreach (var path in paths)
        {
            using var response = await _admin.GetAsync(path);
            Assert.True((int)response.StatusCode is 400 or 404 or 414, $"{path[..Math.Min(40, path.Length)]}: {(int)response.StatusCode}");
            Assert.False(response.Headers.Contains("X-Evil"));
        }

        string[] verdicts =
        [
            "/upstreams/no-such/targets/a%0D%0AX-Evil:%201/healthy",
            "/upstreams/no-such/targets/h:1/%00/unhealthy",
            "/upstreams/no-such/targets/h:1/" + new string('1', 10_000) + "/healthy",
        ];
        foreach (var path in verdicts)
        {
            using var response = await _admin.PutAsync(path, null);
            Assert.True((int)response.StatusCode is 400 or 404 or 414, $"{path[..40]}: {(int)response.StatusCode}");
            Assert.False(response.Headers.Contains("X-Evil"));
        }

        Assert.Equal(tags, await CountAsync("/tags?size=1000"));
    }
}
