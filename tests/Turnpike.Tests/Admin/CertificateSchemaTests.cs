using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Schema;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Admin;

/// <summary>The certificate, SNI and CA certificate schemas: Kong's checks and words, on certificates made for the test.</summary>
[Fast]
public sealed class CertificateSchemaTests : IClassFixture<CertificateSchemaTests.Certificates>
{
    private readonly Certificates _certs;

    public CertificateSchemaTests(Certificates certs) => _certs = certs;

    /// <summary>Key generation is the slow part: one set for the whole class.</summary>
    public sealed class Certificates : IDisposable
    {
        internal TestCertificate Ca { get; } = TestCertificates.Ca();
        internal TestCertificate Rsa { get; }
        internal TestCertificate Ecdsa { get; }
        internal TestCertificate OtherRsa { get; }
        internal TestCertificate Expired { get; }

        public Certificates()
        {
            Rsa = TestCertificates.Leaf(Ca, ["rsa.example.com"]);
            Ecdsa = TestCertificates.Leaf(Ca, ["ec.example.com"], ecdsa: true);
            OtherRsa = TestCertificates.Leaf(Ca, ["other.example.com"]);
            Expired = TestCertificates.Leaf(Ca, ["old.example.com"], notAfter: DateTimeOffset.UtcNow.AddDays(-3));
        }

        public void Dispose()
        {
            foreach (var certificate in new[] { Rsa, Ecdsa, OtherRsa, Expired, Ca })
            {
                certificate.Dispose();
            }
        }
    }

    private static (GatewayEntity? Entity, IReadOnlyDictionary<string, string> Errors) Read(IEntitySchema schema, JsonObject json, bool coerce = false)
    {
        var errors = new FieldErrors();
        var entity = schema.Read(json, errors, coerce);
        return (entity, errors.All);
    }

    private static JsonObject Pair(string cert, string key) => new() { ["cert"] = cert, ["key"] = key };

    [Fact]
    public void Certificate_with_its_own_key_is_read_and_written_back()
    {
        var (entity, errors) = Read(new CertificateSchema(), Pair(_certs.Rsa.CertPem, _certs.Rsa.KeyPem).Merge(new { tags = new[] { "edge" } }));
        Assert.Empty(errors);
        var certificate = Assert.IsType<CertificateEntity>(entity);
        Assert.Equal((_certs.Rsa.CertPem, _certs.Rsa.KeyPem), (certificate.Cert, certificate.Key));

        var json = new CertificateSchema().Write(certificate with { Id = Guid.NewGuid() });
        Assert.Equal(_certs.Rsa.KeyPem, json["key"]!.GetValue<string>());
        Assert.Equal(["edge"], json["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(["key", "key_alt"], new CertificateSchema().SecretFields);
    }

    [Fact]
    public void Certificate_with_its_chain_and_CRLF_line_ends_is_accepted()
    {
        var chain = (_certs.Rsa.CertPem + _certs.Ca.CertPem).Replace("\n", "\r\n", StringComparison.Ordinal);
        var (entity, errors) = Read(new CertificateSchema(), Pair(chain, _certs.Rsa.KeyPem));
        Assert.Empty(errors);
        Assert.NotNull(entity);
    }

    [Fact]
    public void Expired_certificate_is_accepted_as_Kong_accepts_it()
    {
        var (entity, errors) = Read(new CertificateSchema(), Pair(_certs.Expired.CertPem, _certs.Expired.KeyPem));
        Assert.Empty(errors);
        Assert.NotNull(entity);
    }

    [Fact]
    public void Certificate_whose_key_does_not_match_is_refused_as_an_entity_error()
    {
        var (entity, errors) = Read(new CertificateSchema(), Pair(_certs.Rsa.CertPem, _certs.OtherRsa.KeyPem));
        Assert.Null(entity);
        Assert.Equal("certificate does not match key", errors["@entity"]);

        var (_, otherType) = Read(new CertificateSchema(), Pair(_certs.Rsa.CertPem, _certs.Ecdsa.KeyPem));
        Assert.Equal("certificate does not match key", otherType["@entity"]);
    }

    [Fact]
    public void Truncated_PEM_is_refused_naming_the_field()
    {
        var cert = _certs.Rsa.CertPem;
        var (_, truncatedCert) = Read(new CertificateSchema(), Pair(cert[..(cert.Length / 2)], _certs.Rsa.KeyPem));
        Assert.Equal("invalid certificate: truncated or malformed PEM block", truncatedCert["cert"]);

        var key = _certs.Rsa.KeyPem;
        var (_, truncatedKey) = Read(new CertificateSchema(), Pair(cert, key[..(key.Length - 40)]));
        Assert.Equal("invalid key: truncated or malformed PEM block", truncatedKey["key"]);

        // A chain whose second certificate was cut off: not silently served without it.
        var (_, cutChain) = Read(new CertificateSchema(), Pair(cert + _certs.Ca.CertPem[..60], _certs.Rsa.KeyPem));
        Assert.Equal("invalid certificate: truncated or malformed PEM block", cutChain["cert"]);

        var (_, notPem) = Read(new CertificateSchema(), Pair("hello", "world"));
        Assert.Equal("invalid certificate: no PEM-encoded certificate found", notPem["cert"]);
        Assert.Equal("invalid key: no PEM-encoded private key found", notPem["key"]);
    }

    [Fact]
    public void Private_key_pasted_into_the_cert_field_is_refused_so_it_is_never_served()
    {
        var (entity, errors) = Read(new CertificateSchema(), Pair(_certs.Rsa.CertPem + _certs.Rsa.KeyPem, _certs.Rsa.KeyPem));
        Assert.Null(entity);
        Assert.Equal("invalid certificate: unexpected PEM block 'PRIVATE KEY' (only certificates belong here)", errors["cert"]);
    }

    [Fact]
    public void Encrypted_key_is_refused_with_the_reason()
    {
        var encrypted = _certs.Rsa.Key.ExportEncryptedPkcs8PrivateKeyPem("secret", new System.Security.Cryptography.PbeParameters(
            System.Security.Cryptography.PbeEncryptionAlgorithm.Aes256Cbc, System.Security.Cryptography.HashAlgorithmName.SHA256, 1000));
        var (_, errors) = Read(new CertificateSchema(), Pair(_certs.Rsa.CertPem, encrypted));
        Assert.StartsWith("invalid key: encrypted keys are not supported", errors["key"], StringComparison.Ordinal);
    }

    [Fact]
    public void PEM_fields_take_line_breaks_but_refuse_other_control_characters()
    {
        var (_, errors) = Read(new CertificateSchema(), Pair(_certs.Rsa.CertPem + "\0", _certs.Rsa.KeyPem));
        Assert.Equal("must not contain control characters other than tab, CR and LF", errors["cert"]);
    }

    [Fact]
    public void Alternative_pair_of_the_other_key_type_is_accepted()
    {
        var json = Pair(_certs.Rsa.CertPem, _certs.Rsa.KeyPem).Merge(new { cert_alt = _certs.Ecdsa.CertPem, key_alt = _certs.Ecdsa.KeyPem });
        var (entity, errors) = Read(new CertificateSchema(), json);
        Assert.Empty(errors);
        Assert.Equal(_certs.Ecdsa.KeyPem, Assert.IsType<CertificateEntity>(entity).KeyAlt);
    }

    [Fact]
    public void Alternative_pair_of_the_same_key_type_is_refused()
    {
        var json = Pair(_certs.Rsa.CertPem, _certs.Rsa.KeyPem).Merge(new { cert_alt = _certs.OtherRsa.CertPem, key_alt = _certs.OtherRsa.KeyPem });
        var (entity, errors) = Read(new CertificateSchema(), json);
        Assert.Null(entity);
        Assert.Equal(
            "certificate and alternative certificate need to have different type (e.g. RSA and ECDSA), the provided certificates were both of the same type",
            errors["@entity"]);
    }

    [Fact]
    public void Alternative_certificate_without_its_key_or_with_the_wrong_one_is_refused()
    {
        var (_, half) = Read(new CertificateSchema(), Pair(_certs.Rsa.CertPem, _certs.Rsa.KeyPem).Merge(new { cert_alt = _certs.Ecdsa.CertPem }));
        Assert.Equal("all or none of these fields must be set: 'cert_alt', 'key_alt'", half["@entity"]);

        var (_, wrong) = Read(new CertificateSchema(), Pair(_certs.Ecdsa.CertPem, _certs.Ecdsa.KeyPem).Merge(new { cert_alt = _certs.Rsa.CertPem, key_alt = _certs.OtherRsa.KeyPem }));
        Assert.Equal("alternative certificate does not match key", wrong["@entity"]);
    }

    [Fact]
    public void Snis_shorthand_is_checked_lower_cased_sorted_and_refused_when_duplicated()
    {
        var json = Pair(_certs.Rsa.CertPem, _certs.Rsa.KeyPem).Merge(new { snis = new[] { "B.example.com", "*.example.com", "a.example.com" } });
        var (entity, errors) = Read(new CertificateSchema(), json);
        Assert.Empty(errors);
        Assert.NotNull(entity);
        Assert.Equal(["*.example.com", "a.example.com", "b.example.com"], CertificateSchema.SniNames(json, coerce: false)!);

        var (_, duplicated) = Read(new CertificateSchema(), Pair(_certs.Rsa.CertPem, _certs.Rsa.KeyPem).Merge(new { snis = new[] { "a.test", "A.test" } }));
        Assert.Equal("a.test is duplicated", duplicated["snis"]);

        var (_, bad) = Read(new CertificateSchema(), Pair(_certs.Rsa.CertPem, _certs.Rsa.KeyPem).Merge(new { snis = new[] { "ok.test", "a.test:443" } }));
        Assert.Equal("must not have a port", bad["snis[1]"]);

        Assert.Null(CertificateSchema.SniNames(Pair("c", "k"), coerce: false)); // not given: the certificate keeps its SNIs
        Assert.Empty(CertificateSchema.SniNames(Pair("c", "k").Merge(new JsonObject { ["snis"] = null }), coerce: false)!); // null: none
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("*.example.com")]
    [InlineData("example.*")]
    [InlineData("a-b.c_d.example")]
    public void Sni_names_and_wildcards_of_one_whole_label_are_accepted(string name)
    {
        var (entity, errors) = Read(new SniSchema(), new JsonObject { ["name"] = name, ["certificate"] = new JsonObject { ["id"] = Guid.NewGuid().ToString() } });
        Assert.Empty(errors);
        Assert.Equal(name, Assert.IsType<SniEntity>(entity).Name);
    }

    [Fact]
    public void Sni_names_are_kept_in_lower_case()
    {
        var (entity, _) = Read(new SniSchema(), new JsonObject { ["name"] = "API.Example.COM", ["certificate"] = new JsonObject { ["id"] = Guid.NewGuid().ToString() } });
        Assert.Equal("api.example.com", Assert.IsType<SniEntity>(entity).Name);
    }

    [Theory]
    [InlineData("*.*.example.com", "only one wildcard must be specified")]
    [InlineData("*.example.*", "only one wildcard must be specified")]
    [InlineData("a.*.example.com", "wildcard must be leftmost or rightmost character")]
    [InlineData("*example.com", "invalid wildcard: must be placed at leftmost or rightmost label")]
    [InlineData("example.com:443", "must not have a port")]
    [InlineData("10.0.0.1", "must not be an IP")]
    [InlineData("::1", "must not be an IP")]
    [InlineData("bad name.com", "invalid value: bad name.com")]
    [InlineData("example.com.", "invalid value: example.com.")]
    [InlineData("a.test\r\nX-Evil: 1", "must not contain control characters")]
    [InlineData("a\u0000.test", "must not contain control characters")]
    public void Sni_names_that_cannot_be_served_are_refused(string name, string message)
    {
        var (entity, errors) = Read(new SniSchema(), new JsonObject { ["name"] = name, ["certificate"] = new JsonObject { ["id"] = Guid.NewGuid().ToString() } });
        Assert.Null(entity);
        Assert.Equal(message, errors["name"]);
    }

    [Fact]
    public void Sni_needs_its_certificate()
    {
        var (_, errors) = Read(new SniSchema(), new JsonObject { ["name"] = "a.test" });
        Assert.Equal("required field missing", errors["certificate"]);
    }

    [Fact]
    public void Ca_certificate_gets_its_digest_computed_and_a_given_one_overwritten_as_Kong_does()
    {
        var (entity, errors) = Read(new CaCertificateSchema(), new JsonObject { ["cert"] = _certs.Ca.CertPem });
        Assert.Empty(errors);
        Assert.Equal(_certs.Ca.Digest, Assert.IsType<CaCertificateEntity>(entity).CertDigest);

        var (given, _) = Read(new CaCertificateSchema(), new JsonObject { ["cert"] = _certs.Ca.CertPem, ["cert_digest"] = _certs.Ca.Digest.ToUpperInvariant() });
        Assert.Equal(_certs.Ca.Digest, Assert.IsType<CaCertificateEntity>(given).CertDigest);
        var (wrong, wrongErrors) = Read(new CaCertificateSchema(), new JsonObject { ["cert"] = _certs.Ca.CertPem, ["cert_digest"] = new string('0', 64) });
        Assert.Empty(wrongErrors);
        Assert.Equal(_certs.Ca.Digest, Assert.IsType<CaCertificateEntity>(wrong).CertDigest);
    }

    [Fact]
    public void Ca_certificate_without_the_CA_basic_constraint_is_refused_in_Kongs_words()
    {
        var (entity, errors) = Read(new CaCertificateSchema(), new JsonObject { ["cert"] = _certs.Rsa.CertPem });
        Assert.Null(entity);
        Assert.Equal("certificate does not appear to be a CA because it is missing the \"CA\" basic constraint", errors["@entity"]);
    }

    [Fact]
    public void Ca_certificate_field_takes_exactly_one_unexpired_certificate()
    {
        var (_, two) = Read(new CaCertificateSchema(), new JsonObject { ["cert"] = _certs.Ca.CertPem + _certs.Ca.CertPem });
        Assert.Equal("please submit only one certificate at a time", two["@entity"]);

        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddYears(11));
        var (_, expired) = Read(new CaCertificateSchema(later), new JsonObject { ["cert"] = _certs.Ca.CertPem });
        Assert.Equal("certificate expired, \"Not After\" time is in the past", expired["@entity"]);

        var (_, broken) = Read(new CaCertificateSchema(), new JsonObject { ["cert"] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" });
        Assert.Equal("invalid certificate: PEM block does not hold an X.509 certificate", broken["cert"]);
    }
}
