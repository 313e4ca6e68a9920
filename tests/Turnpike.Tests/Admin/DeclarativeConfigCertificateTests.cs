using Turnpike.Edge.Admin.Declarative;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Plugins.CorrelationId;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Admin;

/// <summary>Certificates, their SNIs and CA certificates in Kong's declarative format, both ways.</summary>
[Fast]
public sealed class DeclarativeConfigCertificateTests : IDisposable
{
    private static readonly DeclarativeConfig Config = new(TestSchemas.Create(new PluginRegistry([new CorrelationIdPlugin()])));

    private readonly TestCertificate _ca = TestCertificates.Ca();
    private readonly TestCertificate _leaf;

    public DeclarativeConfigCertificateTests() => _leaf = TestCertificates.Leaf(_ca, ["api.example.com"], ecdsa: true);

    public void Dispose()
    {
        _leaf.Dispose();
        _ca.Dispose();
    }

    private static string Indent(string pem, int spaces) => string.Join("\n", pem.TrimEnd('\n').Split('\n').Select(l => new string(' ', spaces) + l));

    private string File(string serviceExtra = "") => $"""
        _format_version: "3.0"
        certificates:
        - cert: |
        {Indent(_leaf.ChainPem, 4)}
          key: |
        {Indent(_leaf.KeyPem, 4)}
          tags: [edge]
          snis:
          - API.example.com
          - name: "*.example.com"
            tags: [wild]
        ca_certificates:
        - cert: |
        {Indent(_ca.CertPem, 4)}
        services:
        - name: orders
          url: https://orders.internal
        {serviceExtra}
        """;

    [Fact]
    public void Certificates_with_nested_snis_and_ca_certificates_are_read_with_ids_derived_from_their_content()
    {
        var (write, error) = Config.Read(File());
        Assert.Null(error);
        var certificate = Assert.Single(write!.Upserts.OfType<CertificateEntity>());
        Assert.Equal(["edge"], certificate.Tags!);
        var snis = write.Upserts.OfType<SniEntity>().OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(["*.example.com", "api.example.com"], snis.Select(s => s.Name));
        Assert.All(snis, s => Assert.Equal(certificate.Id, s.CertificateId));
        Assert.Equal(["wild"], snis[0].Tags!);
        var ca = Assert.Single(write.Upserts.OfType<CaCertificateEntity>());
        Assert.Equal(_ca.Digest, ca.CertDigest);

        var (again, _) = Config.Read(File());
        Assert.Equal(write.Upserts.Select(e => e.Id), again!.Upserts.Select(e => e.Id)); // the same file keeps its ids
    }

    [Fact]
    public void Services_name_their_client_certificate_and_ca_certificates_by_id_and_export_round_trips()
    {
        var (first, _) = Config.Read(File());
        var certificateId = first!.Upserts.OfType<CertificateEntity>().Single().Id;
        var caId = first.Upserts.OfType<CaCertificateEntity>().Single().Id;
        var (write, error) = Config.Read(File($"""
              client_certificate: {certificateId}
              ca_certificates: [{caId}]
              tls_verify: true
            """));
        Assert.True(error is null, error?.Message);
        var service = Assert.Single(write!.Upserts.OfType<ServiceEntity>());
        Assert.Equal((certificateId, caId), (service.ClientCertificateId, service.CaCertificates!.Single()));

        var exported = YamlJson.Write(Config.Export(write.Upserts));
        var (reread, rereadError) = Config.Read(exported);
        Assert.True(rereadError is null, rereadError?.Message);
        Assert.Equal(
            write.Upserts.Select(e => (e.Kind, e.Id)).Order(),
            reread!.Upserts.Select(e => (e.Kind, e.Id)).Order());
        Assert.Equal(_leaf.KeyPem, reread.Upserts.OfType<CertificateEntity>().Single().Key);
    }

    [Fact]
    public void Export_for_a_caller_who_may_not_see_secrets_leaves_the_keys_out()
    {
        var (write, _) = Config.Read(File());
        var exported = YamlJson.Write(Config.Export(write!.Upserts, withSecrets: false));
        Assert.DoesNotContain("PRIVATE KEY", exported, StringComparison.Ordinal);
        Assert.Contains("BEGIN CERTIFICATE", exported, StringComparison.Ordinal);
        Assert.Contains("api.example.com", exported, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_certificate_or_sni_in_a_file_is_reported_at_its_path()
    {
        var file = $"""
            _format_version: "3.0"
            certificates:
            - cert: not a certificate
              key: |
            {Indent(_leaf.KeyPem, 4)}
              snis: [ok.example.com, "bad:443", 7]
            """;
        var (write, error) = Config.Read(file);
        Assert.Null(write);
        Assert.Equal("invalid certificate: no PEM-encoded certificate found", error!.Fields!["certificates[0].cert"]);
        Assert.Equal("must not have a port", error.Fields["certificates[0].snis[1].name"]);
        Assert.Equal("expected a string or a record", error.Fields["certificates[0].snis[2]"]);
    }
}
