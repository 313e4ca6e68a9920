using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>
/// A dev edge of its own with a bootstrap token (<c>Turnpike__Admin__Token</c>): POST /config replaces its whole table,
/// and admins with roles can be made on it.
/// </summary>
public sealed class CertificateConfigFixture : IAsyncLifetime
{
    public const string BootstrapToken = "certificates-bootstrap-0123456789";

    internal EdgeNode Edge { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Edge = await EdgeNode.StartDevAsync(new Dictionary<string, string> { ["Turnpike__Admin__Token"] = BootstrapToken });

    public async Task DisposeAsync()
    {
        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }
    }
}

/// <summary>Certificates through <c>/config</c> both ways, and what a read-only admin is shown of them.</summary>
public sealed class CertificateConfigTests(CertificateConfigFixture fixture) : IClassFixture<CertificateConfigFixture>
{
    private const string Token = CertificateConfigFixture.BootstrapToken;
    private readonly EdgeNode _edge = fixture.Edge;
    private readonly string _name = "cc" + Guid.NewGuid().ToString("N")[..8];

    private Task<(int Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, string token = Token, object? body = null) =>
        AdminAuthRequests.SendAsync(_edge.Admin, method, path, token, body);

    private static string Indent(string pem, int spaces) => string.Join("\n", pem.TrimEnd('\n').Split('\n').Select(l => new string(' ', spaces) + l));

    [Fact]
    public async Task Declarative_export_and_import_round_trip_through_post_and_get_config_keeps_ids()
    {
        var certificateId = Guid.NewGuid();
        var leaf = EndToEndCertificates.Ecdsa;
        var rsa = EndToEndCertificates.Rsa;
        var file = $"""
            _format_version: "3.0"
            certificates:
            - id: {certificateId}
              cert: |
            {Indent(rsa.CertPem, 4)}
              key: |
            {Indent(rsa.KeyPem, 4)}
              cert_alt: |
            {Indent(leaf.CertPem, 4)}
              key_alt: |
            {Indent(leaf.KeyPem, 4)}
              snis:
              - api.{_name}.test
              - name: "*.{_name}.test"
                tags: [wild]
            - cert: |
            {Indent(EndToEndCertificates.Expired.CertPem, 4)}
              key: |
            {Indent(EndToEndCertificates.Expired.KeyPem, 4)}
            ca_certificates:
            - cert: |
            {Indent(EndToEndCertificates.Ca.CertPem, 4)}
            services:
            - name: {_name}
              url: https://orders.internal
              client_certificate: {certificateId}
            """;

        var (replaced, replacedBody) = await SendAsync(HttpMethod.Post, "/config", body: new { config = file });
        Assert.True(replaced == 201, replacedBody?.ToJsonString());
        var (_, certificates) = await SendAsync(HttpMethod.Get, "/certificates");
        var before = Ids(certificates!);
        Assert.Equal(2, before.Count);
        Assert.Contains(certificateId.ToString(), before);
        var (_, byName) = await SendAsync(HttpMethod.Get, $"/certificates/api.{_name}.test");
        Assert.Equal(certificateId.ToString(), byName!["id"]!.GetValue<string>());
        Assert.Equal(leaf.KeyPem, byName["key_alt"]!.GetValue<string>());
        var (_, sniBefore) = await SendAsync(HttpMethod.Get, $"/snis/api.{_name}.test");

        // What GET /config gives, POSTed back, is the same table: same ids, same keys, same references.
        var (_, exported) = await SendAsync(HttpMethod.Get, "/config");
        var yaml = exported!["config"]!.GetValue<string>();
        Assert.Contains("snis:", yaml, StringComparison.Ordinal);
        Assert.Contains("ca_certificates:", yaml, StringComparison.Ordinal);
        var (reimported, reimportedBody) = await SendAsync(HttpMethod.Post, "/config", body: new { config = yaml });
        Assert.True(reimported == 201, reimportedBody?.ToJsonString());

        var (_, after) = await SendAsync(HttpMethod.Get, "/certificates");
        Assert.Equal(before, Ids(after!));
        var (_, sniAfter) = await SendAsync(HttpMethod.Get, $"/snis/api.{_name}.test");
        Assert.Equal(sniBefore!["id"]!.GetValue<string>(), sniAfter!["id"]!.GetValue<string>());
        var (_, wild) = await SendAsync(HttpMethod.Get, $"/snis/*.{_name}.test");
        Assert.Equal("wild", wild!["tags"]![0]!.GetValue<string>());
        var (_, service) = await SendAsync(HttpMethod.Get, $"/services/{_name}");
        Assert.Equal(certificateId.ToString(), service!["client_certificate"]!["id"]!.GetValue<string>());
        var (_, again) = await SendAsync(HttpMethod.Get, "/config");
        Assert.Equal(yaml, again!["config"]!.GetValue<string>());
    }

    [Fact]
    public async Task Read_only_admin_sees_certificates_without_their_private_keys()
    {
        var rsa = EndToEndCertificates.Rsa;
        var (created, certificate) = await SendAsync(HttpMethod.Post, "/certificates", body: new
        {
            cert = rsa.CertPem,
            key = rsa.KeyPem,
            cert_alt = EndToEndCertificates.Ecdsa.CertPem,
            key_alt = EndToEndCertificates.Ecdsa.KeyPem,
            snis = new[] { $"ro.{_name}.test" },
        });
        Assert.True(created == 201, certificate?.ToJsonString());
        Assert.Equal(rsa.KeyPem, certificate!["key"]!.GetValue<string>()); // the bootstrap super-admin sees it
        var id = certificate["id"]!.GetValue<string>();
        var readOnly = await CreateAdminAsync("read-only");
        var admin = await CreateAdminAsync("admin");

        var (status, one) = await SendAsync(HttpMethod.Get, $"/certificates/{id}", readOnly);
        Assert.Equal(200, status);
        Assert.Equal(rsa.CertPem, one!["cert"]!.GetValue<string>());
        Assert.False(one.AsObject().ContainsKey("key"));
        Assert.False(one.AsObject().ContainsKey("key_alt"));
        Assert.Equal($"ro.{_name}.test", one["snis"]![0]!.GetValue<string>());

        foreach (var path in new[] { "/certificates", $"/certificates/ro.{_name}.test", "/config", "/config?format=yaml" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("Kong-Admin-Token", readOnly);
            using var response = await _edge.Admin.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Contains("BEGIN CERTIFICATE", text, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
        }

        var (_, asAdmin) = await SendAsync(HttpMethod.Get, $"/certificates/{id}", admin);
        Assert.Equal(EndToEndCertificates.Ecdsa.KeyPem, asAdmin!["key_alt"]!.GetValue<string>()); // admins see keys, as in Kong
        Assert.Equal(403, (await SendAsync(HttpMethod.Post, "/certificates", readOnly, new { cert = rsa.CertPem, key = rsa.KeyPem })).Status);
    }

    private static List<string> Ids(JsonNode list) =>
        [.. list["data"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal)];

    private async Task<string> CreateAdminAsync(string role)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/admins", body: new { username = $"{_name}-{role}", role });
        Assert.True(status == 201, body?.ToJsonString());
        var token = body!["token"]!.GetValue<string>();
        await Poll.UntilAsync(async () => (await SendAsync(HttpMethod.Get, "/", token)).Status == 200, TimeSpan.FromSeconds(20), $"{role} token accepted");
        return token;
    }
}
