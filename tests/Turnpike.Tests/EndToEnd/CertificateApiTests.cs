using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>Certificates made once for the end-to-end tests: key generation is the slow part, and 2 cores are shared.</summary>
internal static class EndToEndCertificates
{
    private static readonly Lazy<(TestCertificate Ca, TestCertificate Rsa, TestCertificate Ecdsa, TestCertificate OtherRsa, TestCertificate Expired)> Made = new(() =>
    {
        var ca = TestCertificates.Ca("Turnpike E2E CA");
        return (ca,
            TestCertificates.Leaf(ca, ["rsa.e2e.test"]),
            TestCertificates.Leaf(ca, ["ecdsa.e2e.test"], ecdsa: true),
            TestCertificates.Leaf(ca, ["other.e2e.test"]),
            TestCertificates.Leaf(ca, ["expired.e2e.test"], notAfter: DateTimeOffset.UtcNow.AddDays(-2)));
    });

    public static TestCertificate Ca => Made.Value.Ca;

    public static TestCertificate Rsa => Made.Value.Rsa;

    public static TestCertificate Ecdsa => Made.Value.Ecdsa;

    public static TestCertificate OtherRsa => Made.Value.OtherRsa;

    public static TestCertificate Expired => Made.Value.Expired;
}

/// <summary>The certificate endpoints of a real dev edge: Kong's statuses, the snis shorthand, lookups by SNI, the cascade and every refusal.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class CertificateApiTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly string _name = "c" + Guid.NewGuid().ToString("N")[..8];

    private string Host(string label) => $"{label}.{_name}.test";

    private object Body(TestCertificate certificate, string[]? snis = null, object? extra = null) =>
        new JsonObject { ["cert"] = certificate.ChainPem, ["key"] = certificate.KeyPem, ["tags"] = new JsonArray(_name) }
            .Merge(snis is null ? null : new { snis })
            .Merge(extra);

    private async Task<JsonNode> CreateAsync(TestCertificate certificate, params string[] snis)
    {
        var (status, body) = await _admin.PostJsonAsync("/certificates", Body(certificate, snis));
        Assert.True(status == 201, body?.ToJsonString());
        return body!;
    }

    private async Task<string[]> SniNamesAsync(string path)
    {
        var (status, body) = await _admin.GetJsonAsync(path);
        Assert.Equal(200, status);
        return [.. body!["data"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal)];
    }

    private async Task<int> CountTaggedAsync(string path) => (await _admin.GetJsonAsync($"{path}?tags={_name}")).Body!["data"]!.AsArray().Count;

    [Fact]
    public async Task Certificate_created_with_the_snis_shorthand_gets_its_sni_entities_in_the_same_write()
    {
        var created = await CreateAsync(EndToEndCertificates.Rsa, Host("b"), Host("A"), $"*.{_name}.test");
        var id = created["id"]!.GetValue<string>();
        Assert.Equal([$"*.{_name}.test", Host("a"), Host("b")], created["snis"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(EndToEndCertificates.Rsa.KeyPem, created["key"]!.GetValue<string>()); // the open dev API shows keys, as Kong does

        Assert.Equal([$"*.{_name}.test", Host("a"), Host("b")], await SniNamesAsync($"/certificates/{id}/snis"));
        var (sniStatus, sni) = await _admin.GetJsonAsync($"/snis/{Host("a")}");
        Assert.Equal(200, sniStatus);
        Assert.Equal(id, sni!["certificate"]!["id"]!.GetValue<string>());

        var (_, list) = await _admin.GetJsonAsync($"/certificates?tags={_name}");
        var listed = Assert.Single(list!["data"]!.AsArray())!;
        Assert.Equal(3, listed["snis"]!.AsArray().Count);
    }

    [Fact]
    public async Task Sni_name_already_taken_is_refused_and_the_first_certificate_keeps_it()
    {
        var first = await CreateAsync(EndToEndCertificates.Rsa, Host("taken"));
        var other = await CreateAsync(EndToEndCertificates.Ecdsa);
        var otherId = other["id"]!.GetValue<string>();

        var (status, error) = await _admin.PostJsonAsync("/snis", new { name = Host("taken"), certificate = new { id = otherId } });
        Assert.Equal(409, status);
        Assert.Equal("unique constraint violation", error!["name"]!.GetValue<string>());
        Assert.Equal($"UNIQUE violation detected on '{{name=\"{Host("taken")}\"}}'", error["message"]!.GetValue<string>());

        // Through the shorthand, Kong's words for it: a schema violation naming the certificate that has the name.
        var (shorthand, shorthandError) = await _admin.PostJsonAsync("/certificates", Body(EndToEndCertificates.OtherRsa, [Host("taken")]));
        Assert.Equal(400, shorthand);
        Assert.Equal(
            $"{Host("taken")} already associated with existing certificate '{first["id"]!.GetValue<string>()}'",
            shorthandError!["fields"]!["snis"]!.GetValue<string>());

        Assert.Equal(2, await CountTaggedAsync("/certificates")); // the refused certificate was not stored
        Assert.Equal(first["id"]!.GetValue<string>(), (await _admin.GetJsonAsync($"/certificates/{Host("taken")}")).Body!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Certificate_is_read_updated_and_nested_by_one_of_its_sni_names()
    {
        var created = await CreateAsync(EndToEndCertificates.Ecdsa, Host("api"));
        var id = created["id"]!.GetValue<string>();

        var (status, found) = await _admin.GetJsonAsync($"/certificates/{Host("API")}");
        Assert.Equal(200, status);
        Assert.Equal(id, found!["id"]!.GetValue<string>());
        Assert.Equal([Host("api")], found["snis"]!.AsArray().Select(n => n!.GetValue<string>()));

        var (missing, missingBody) = await _admin.GetJsonAsync($"/certificates/{Host("nope")}");
        Assert.Equal((404, "SNI not found"), (missing, missingBody!["message"]!.GetValue<string>()));
        Assert.Equal(404, (await _admin.GetJsonAsync($"/certificates/{Guid.NewGuid()}")).Status);

        // PATCH by name replaces the list when given; the nested endpoints take the name as the parent too.
        var (patched, patchedBody) = await _admin.SendJsonAsync(HttpMethod.Patch, $"/certificates/{Host("api")}", new { snis = new[] { Host("api"), Host("www") } });
        Assert.Equal(200, patched);
        Assert.Equal(2, patchedBody!["snis"]!.AsArray().Count);
        Assert.Equal(201, (await _admin.PostJsonAsync($"/certificates/{Host("www")}/snis", new { name = Host("more") })).Status);
        Assert.Equal([Host("api"), Host("more"), Host("www")], await SniNamesAsync($"/certificates/{Host("api")}/snis"));

        // PUT by a new name creates a certificate served for that name.
        var (put, putBody) = await _admin.SendJsonAsync(HttpMethod.Put, $"/certificates/{Host("fresh")}", new { cert = EndToEndCertificates.Rsa.CertPem, key = EndToEndCertificates.Rsa.KeyPem, tags = new[] { _name } });
        Assert.Equal(200, put);
        Assert.NotEqual(id, putBody!["id"]!.GetValue<string>());
        Assert.Equal([Host("fresh")], putBody["snis"]!.AsArray().Select(n => n!.GetValue<string>()));

        // PUT by id without snis replaces the list with none, as Kong.
        var (putById, putByIdBody) = await _admin.SendJsonAsync(HttpMethod.Put, $"/certificates/{id}", new { cert = EndToEndCertificates.Ecdsa.CertPem, key = EndToEndCertificates.Ecdsa.KeyPem });
        Assert.Equal(200, putById);
        Assert.Empty(putByIdBody!["snis"]!.AsArray());
        Assert.Equal(404, (await _admin.GetJsonAsync($"/snis/{Host("more")}")).Status);
    }

    [Fact]
    public async Task Deleting_a_certificate_deletes_its_snis()
    {
        var created = await CreateAsync(EndToEndCertificates.Rsa, Host("one"), Host("two"));
        var (addedStatus, _) = await _admin.PostJsonAsync("/snis", new { name = Host("three"), certificate = new { id = created["id"]!.GetValue<string>() } });
        Assert.Equal(201, addedStatus);

        using var deleted = await _admin.DeleteAsync($"/certificates/{Host("two")}");
        Assert.Equal(204, (int)deleted.StatusCode);
        Assert.Equal(404, (await _admin.GetJsonAsync($"/certificates/{created["id"]!.GetValue<string>()}")).Status);
        foreach (var name in new[] { "one", "two", "three" })
        {
            Assert.Equal(404, (await _admin.GetJsonAsync($"/snis/{Host(name)}")).Status);
        }

        using var again = await _admin.DeleteAsync($"/certificates/{created["id"]!.GetValue<string>()}");
        Assert.Equal(204, (int)again.StatusCode);
    }

    [Fact]
    public async Task Expired_certificate_is_accepted()
    {
        var created = await CreateAsync(EndToEndCertificates.Expired, Host("old"));
        Assert.Equal(EndToEndCertificates.Expired.KeyPem, created["key"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_certificate_input_is_refused_with_400_and_nothing_stored()
    {
        var rsa = EndToEndCertificates.Rsa;
        var bad = new (object Body, string Field, string Message)[]
        {
            (new { cert = rsa.CertPem, key = EndToEndCertificates.OtherRsa.KeyPem, tags = new[] { _name } }, "@entity", "certificate does not match key"),
            (new { cert = rsa.CertPem[..(rsa.CertPem.Length / 2)], key = rsa.KeyPem, tags = new[] { _name } }, "cert", "invalid certificate: truncated or malformed PEM block"),
            (new { cert = rsa.CertPem, key = "-----BEGIN PRIVATE KEY-----\nAAAA\n", tags = new[] { _name } }, "key", "invalid key: truncated or malformed PEM block"),
            (new { cert = rsa.CertPem, key = rsa.KeyPem, cert_alt = EndToEndCertificates.OtherRsa.CertPem, key_alt = EndToEndCertificates.OtherRsa.KeyPem, tags = new[] { _name } },
                "@entity", "certificate and alternative certificate need to have different type (e.g. RSA and ECDSA), the provided certificates were both of the same type"),
            (new { cert = rsa.CertPem, key = rsa.KeyPem, snis = new[] { Host("x") + ":8443" }, tags = new[] { _name } }, "snis", "must not have a port"),
            (new { cert = rsa.CertPem, key = rsa.KeyPem, snis = new[] { "*.*." + _name + ".test" }, tags = new[] { _name } }, "snis", "only one wildcard must be specified"),
            (new { cert = rsa.CertPem + "\u0001", key = rsa.KeyPem, tags = new[] { _name } }, "cert", "must not contain control characters other than tab, CR and LF"),
            (new { key = rsa.KeyPem, tags = new[] { _name } }, "cert", "required field missing"),
        };
        foreach (var (body, field, message) in bad)
        {
            var (status, error) = await _admin.PostJsonAsync("/certificates", body);
            Assert.True(status == 400, error?.ToJsonString());
            Assert.Equal("schema violation", error!["name"]!.GetValue<string>());
            var reported = field == "@entity" ? error["fields"]!["@entity"]![0] : error["fields"]![field];
            Assert.Equal(message, reported is JsonArray list ? list[0]!.GetValue<string>() : reported!.GetValue<string>());
        }

        Assert.Equal(0, await CountTaggedAsync("/certificates"));
        Assert.Equal(404, (await _admin.GetJsonAsync($"/snis/{Host("x")}")).Status);

        var (leafAsCa, leafError) = await _admin.PostJsonAsync("/ca_certificates", new { cert = rsa.CertPem, tags = new[] { _name } });
        Assert.Equal(400, leafAsCa);
        Assert.Equal("certificate does not appear to be a CA because it is missing the \"CA\" basic constraint", leafError!["fields"]!["@entity"]![0]!.GetValue<string>());
        var (badSni, badSniError) = await _admin.PostJsonAsync("/snis", new { name = Host("y") + "\r\n", certificate = new { id = Guid.NewGuid() } });
        Assert.Equal(400, badSni);
        Assert.Equal("must not contain control characters", badSniError!["fields"]!["name"]!.GetValue<string>());
        var (orphan, orphanError) = await _admin.PostJsonAsync("/snis", new { name = Host("z"), certificate = new { id = Guid.NewGuid() } });
        Assert.Equal((400, "foreign key violation"), (orphan, orphanError!["name"]!.GetValue<string>()));
        Assert.Equal(0, await CountTaggedAsync("/ca_certificates"));
    }

    [Fact]
    public async Task Ca_certificate_gets_its_digest_and_a_second_copy_is_refused_with_409()
    {
        var ca = await CaAsync();
        Assert.Equal(EndToEndCertificates.Ca.Digest, ca["cert_digest"]!.GetValue<string>());
        var (status, error) = await _admin.PostJsonAsync("/ca_certificates", new { cert = EndToEndCertificates.Ca.CertPem });
        Assert.Equal(409, status);
        Assert.Equal($"UNIQUE violation detected on '{{cert_digest=\"{EndToEndCertificates.Ca.Digest}\"}}'", error!["message"]!.GetValue<string>());

        // A client's cert_digest is overwritten with the computed one, as Kong does: the copy is still the same CA.
        var (lying, lyingError) = await _admin.PostJsonAsync("/ca_certificates", new { cert = EndToEndCertificates.Ca.CertPem, cert_digest = new string('0', 64) });
        Assert.Equal(409, lying);
        Assert.Contains(EndToEndCertificates.Ca.Digest, lyingError!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Service_naming_an_unknown_client_certificate_or_ca_certificate_is_refused_with_400()
    {
        var unknown = Guid.NewGuid().ToString();
        var (status, error) = await _admin.PostJsonAsync("/services", new { name = _name, url = "https://h.internal", client_certificate = new { id = unknown } });
        Assert.Equal((400, "foreign key violation"), (status, error!["name"]!.GetValue<string>()));
        Assert.Equal(unknown, error["fields"]!["client_certificate"]!["id"]!.GetValue<string>());

        var (caStatus, caError) = await _admin.PostJsonAsync("/services", new { name = _name, url = "https://h.internal", ca_certificates = new[] { unknown } });
        Assert.Equal(400, caStatus);
        Assert.Equal($"the foreign key '{{id=\"{unknown}\"}}' does not reference an existing 'ca_certificates' entity.", caError!["message"]!.GetValue<string>());

        var (plain, plainError) = await _admin.PostJsonAsync("/services", new { name = _name, url = "http://h.internal", tls_verify = true });
        Assert.Equal(400, plain);
        Assert.Equal("value must be null", plainError!["fields"]!["tls_verify"]!.GetValue<string>());
        Assert.Equal(404, (await _admin.GetJsonAsync($"/services/{_name}")).Status);
    }

    [Fact]
    public async Task Deleting_a_certificate_or_ca_certificate_a_service_uses_is_refused()
    {
        var certificate = await CreateAsync(EndToEndCertificates.Rsa, Host("mtls"));
        var ca = await CaAsync();
        var (created, service) = await _admin.PostJsonAsync("/services", new
        {
            name = _name,
            url = "https://h.internal",
            client_certificate = new { id = certificate["id"]!.GetValue<string>() },
            ca_certificates = new[] { ca["id"]!.GetValue<string>() },
            tls_verify = true,
            tls_verify_depth = 2,
        });
        Assert.True(created == 201, service?.ToJsonString());
        Assert.Equal(certificate["id"]!.GetValue<string>(), service!["client_certificate"]!["id"]!.GetValue<string>());
        Assert.Equal((true, 2), (service["tls_verify"]!.GetValue<bool>(), service["tls_verify_depth"]!.GetValue<int>()));

        using (var refused = await _admin.DeleteAsync($"/certificates/{Host("mtls")}"))
        {
            Assert.Equal(400, (int)refused.StatusCode);
            var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
            Assert.Equal("an existing 'services' entity references this 'certificates' entity", error["message"]!.GetValue<string>());
        }

        using (var caRefused = await _admin.DeleteAsync($"/ca_certificates/{ca["id"]!.GetValue<string>()}"))
        {
            Assert.Equal(400, (int)caRefused.StatusCode);
            Assert.Equal("referenced by others", JsonNode.Parse(await caRefused.Content.ReadAsStringAsync())!["name"]!.GetValue<string>());
        }

        Assert.Equal(200, (await _admin.GetJsonAsync($"/snis/{Host("mtls")}")).Status);

        // Once the service lets go, both may go.
        Assert.Equal(200, (await _admin.SendJsonAsync(HttpMethod.Patch, $"/services/{_name}", new JsonObject { ["client_certificate"] = null, ["ca_certificates"] = null })).Status);
        using var deleted = await _admin.DeleteAsync($"/certificates/{Host("mtls")}");
        Assert.Equal(204, (int)deleted.StatusCode);
        using var caDeleted = await _admin.DeleteAsync($"/ca_certificates/{ca["id"]!.GetValue<string>()}");
        Assert.Equal(204, (int)caDeleted.StatusCode);
    }

    /// <summary>The test CA as a CA certificate (the shared edge may hold it from an earlier test: then that one).</summary>
    private async Task<JsonNode> CaAsync()
    {
        var (status, body) = await _admin.PostJsonAsync("/ca_certificates", new { cert = EndToEndCertificates.Ca.CertPem, tags = new[] { _name } });
        if (status == 409)
        {
            var (_, list) = await _admin.GetJsonAsync("/ca_certificates");
            return list!["data"]!.AsArray().Single(c => c!["cert_digest"]!.GetValue<string>() == EndToEndCertificates.Ca.Digest)!;
        }

        Assert.True(status == 201, body?.ToJsonString());
        return body!;
    }
}
