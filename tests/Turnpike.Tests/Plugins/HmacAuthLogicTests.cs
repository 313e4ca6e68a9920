using System.Text;
using Turnpike.Edge.Plugins.HmacAuth;
using Xunit;

namespace Turnpike.Tests.Plugins;

/// <summary>hmac-auth's credential header and signing string, against Kong's documented example.</summary>
[Fast]
public sealed class HmacAuthLogicTests
{
    [Fact]
    public void Kongs_documented_example_signs_to_its_documented_signature()
    {
        // Kong's hmac-auth documentation: secret "secret", headers "date request-line".
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["date"] = "Thu, 22 Jun 2017 17:15:21 GMT" };
        var signing = HmacSignature.SigningString(["date", "request-line"], n => headers.GetValueOrDefault(n), "GET", "/requests", "1.1");
        Assert.Equal("date: Thu, 22 Jun 2017 17:15:21 GMT\nGET /requests HTTP/1.1", signing);
        Assert.True(HmacSignature.Matches("hmac-sha256", "secret", signing, "ujWCGHeec9Xd6UD2zlyxiNMCiXnDOWeVFMu5VeRUxtw="));
        Assert.False(HmacSignature.Matches("hmac-sha256", "secreT", signing, "ujWCGHeec9Xd6UD2zlyxiNMCiXnDOWeVFMu5VeRUxtw="));
        Assert.False(HmacSignature.Matches("hmac-sha256", "secret", signing, "not base64!"));
    }

    [Fact]
    public void Request_target_is_the_lower_case_method_and_the_path_with_query_and_a_missing_header_is_its_name()
    {
        var signing = HmacSignature.SigningString(["@request-target", "x-missing"], _ => null, "POST", "/a?b=c", "1.1");
        Assert.Equal("@request-target: post /a?b=c\nx-missing:", signing);
    }

    [Theory]
    [InlineData("hmac-sha1", 20)]
    [InlineData("hmac-sha256", 32)]
    [InlineData("hmac-sha384", 48)]
    [InlineData("hmac-sha512", 64)]
    public void Each_algorithm_signs_with_its_own_hash(string algorithm, int bytes)
    {
        var signature = HmacSignature.Compute(algorithm, "s", "text");
        Assert.Equal(bytes, signature.Length);
        Assert.True(HmacSignature.Matches(algorithm, "s", "text", Convert.ToBase64String(signature)));
    }

    [Fact]
    public void The_credential_header_is_read_in_kongs_form_with_any_case_of_the_scheme()
    {
        var parsed = HmacAuthorization.Parse("HMAC username=\"alice\",algorithm=\"hmac-sha256\", headers=\"date request-line\",  signature=\"c2ln\"");
        Assert.Equal("alice", parsed!.Username);
        Assert.Equal("hmac-sha256", parsed.Algorithm);
        Assert.Equal(["date", "request-line"], parsed.Headers);
        Assert.Equal("c2ln", parsed.Signature);
    }

    [Theory]
    [InlineData("Basic YWxpY2U6cHc=")]
    [InlineData("hmac algorithm=\"hmac-sha256\", username=\"alice\", headers=\"date\", signature=\"c2ln\"")]
    [InlineData("hmac username=\"alice\", algorithm=\"hmac-sha256\", headers=\"date\"")]
    [InlineData("hmac username=\"\", algorithm=\"hmac-sha256\", headers=\"date\", signature=\"c2ln\"")]
    [InlineData("hmac username=\"alice, algorithm=\"hmac-sha256\", headers=\"date\", signature=\"c2ln")]
    [InlineData("hmac username=\"alice\", algorithm=\"hmac-sha256\", headers=\"date\", signature=\"c2ln\", extra=\"1\"")]
    [InlineData("hmac")]
    [InlineData("")]
    public void A_header_not_in_kongs_form_is_no_credential(string header) => Assert.Null(HmacAuthorization.Parse(header));

    [Fact]
    public void A_signature_longer_than_any_hash_is_simply_wrong()
    {
        var tooLong = Convert.ToBase64String(Encoding.UTF8.GetBytes(new string('x', 10_000)));
        Assert.False(HmacSignature.Matches("hmac-sha512", "s", "text", tooLong));
    }
}

/// <summary>hmac-auth credentials in Kong's declarative format (<c>hmacauth_credentials</c> under a consumer), read and exported back.</summary>
[Fast]
public sealed class HmacAuthDeclarativeTests
{
    [Fact]
    public void Hmacauth_credentials_under_a_consumer_are_read_and_exported_back()
    {
        var config = new Turnpike.Edge.Admin.Declarative.DeclarativeConfig(
            Turnpike.Tests.Infrastructure.TestSchemas.Create(new Turnpike.Edge.Plugins.PluginRegistry([])));
        var (write, error) = config.Read("""
            _format_version: "3.0"
            consumers:
            - username: alice
              hmacauth_credentials:
              - username: alice-hmac
                secret: alice-secret
            """);
        Assert.Null(error?.Message);
        var consumer = Assert.Single(write!.Upserts.OfType<Turnpike.RouteTable.ConsumerEntity>());
        var credential = Assert.Single(write.Upserts.OfType<Turnpike.RouteTable.HmacAuthCredentialEntity>());
        Assert.Equal((consumer.Id, "alice-hmac", "alice-secret"), (credential.ConsumerId, credential.Username, credential.Secret));

        var exported = config.Export(write.Upserts);
        var json = Assert.Single(exported["consumers"]!.AsArray())!["hmacauth_credentials"]!.AsArray().Single()!;
        Assert.Equal("alice-hmac", json["username"]!.GetValue<string>());
        Assert.Equal(write.Upserts.Select(e => e.Id).Order(), config.Read(exported).Write!.Upserts.Select(e => e.Id).Order());
    }
}
