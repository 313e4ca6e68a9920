using System.Text.Json.Nodes;
using Turnpike.Edge.Admin.Schemas;
using Turnpike.Edge.Schema;
using Turnpike.RouteTable;
using Xunit;

namespace Turnpike.Tests.Admin;

/// <summary>Services' grpc protocols and upstream TLS fields, routes' grpc protocols: Kong's conditional checks and words.</summary>
[Fast]
public sealed class GrpcAndTlsSchemaTests
{
    private static (GatewayEntity? Entity, IReadOnlyDictionary<string, string> Errors) Read(IEntitySchema schema, string json)
    {
        var errors = new FieldErrors();
        var entity = schema.Read(JsonNode.Parse(json)!.AsObject(), errors, coerce: false);
        return (entity, errors.All);
    }

    [Theory]
    [InlineData("grpc://orders.internal", "grpc", 80)]
    [InlineData("grpcs://orders.internal", "grpcs", 80)] // Kong's default port is 80 for anything but http and https
    [InlineData("grpcs://orders.internal:50051", "grpcs", 50051)]
    [InlineData("https://orders.internal", "https", 443)]
    public void Service_url_with_a_grpc_scheme_sets_protocol_and_Kongs_default_port(string url, string protocol, int port)
    {
        var (entity, errors) = Read(new ServiceSchema(), $$"""{"url":"{{url}}"}""");
        Assert.Empty(errors);
        var service = Assert.IsType<ServiceEntity>(entity);
        Assert.Equal((protocol, "orders.internal", port, (string?)null), (service.Protocol, service.Host, service.Port, service.Path));
    }

    [Fact]
    public void Grpc_service_with_a_path_is_refused_in_Kongs_words()
    {
        var (entity, errors) = Read(new ServiceSchema(), """{"protocol":"grpc","host":"h","path":"/v1"}""");
        Assert.Null(entity);
        Assert.Equal("value must be null", errors["path"]);
        Assert.Equal("failed conditional validation given value of field 'protocol'", errors["@entity"]);

        var (_, fromUrl) = Read(new ServiceSchema(), """{"url":"grpcs://h:9000/pkg.Service"}""");
        Assert.Equal("value must be null", fromUrl["path"]);
    }

    [Fact]
    public void Https_service_takes_the_upstream_tls_fields_and_writes_them_back()
    {
        var ca = Guid.NewGuid();
        var client = Guid.NewGuid();
        var (entity, errors) = Read(new ServiceSchema(),
            $$$"""{"url":"https://h","tls_verify":false,"tls_verify_depth":3,"ca_certificates":["{{{ca}}}"],"client_certificate":{"id":"{{{client}}}"}}""");
        Assert.Empty(errors);
        var service = Assert.IsType<ServiceEntity>(entity);
        Assert.Equal((false, 3, client), (service.TlsVerify, service.TlsVerifyDepth, service.ClientCertificateId));
        Assert.Equal([ca], service.CaCertificates!);

        var json = new ServiceSchema().Write(service with { Id = Guid.NewGuid() });
        Assert.Equal(client.ToString(), json["client_certificate"]!["id"]!.GetValue<string>());
        Assert.Equal(ca.ToString(), json["ca_certificates"]![0]!.GetValue<string>());
        Assert.False(json["tls_verify"]!.GetValue<bool>());
        Assert.Equal(3, json["tls_verify_depth"]!.GetValue<int>());

        var plain = new ServiceSchema().Write(new ServiceEntity { Id = Guid.NewGuid(), Host = "h" });
        Assert.All(new[] { "client_certificate", "tls_verify", "tls_verify_depth", "ca_certificates" }, field => Assert.True(plain.ContainsKey(field) && plain[field] is null));
    }

    [Theory]
    [InlineData("""{"url":"http://h","tls_verify":true}""", "tls_verify")]
    [InlineData("""{"url":"grpc://h","client_certificate":{"id":"6b2b6c4e-54a1-4c56-9f0e-0d2b3b1d0a11"}}""", "client_certificate")]
    [InlineData("""{"url":"http://h","ca_certificates":["6b2b6c4e-54a1-4c56-9f0e-0d2b3b1d0a11"]}""", "ca_certificates")]
    [InlineData("""{"url":"http://h","tls_verify_depth":1}""", "tls_verify_depth")]
    public void Upstream_tls_fields_are_refused_unless_the_protocol_is_https_or_grpcs(string json, string field)
    {
        var (entity, errors) = Read(new ServiceSchema(), json);
        Assert.Null(entity);
        Assert.Equal("value must be null", errors[field]);
        Assert.Equal("failed conditional validation given value of field 'protocol'", errors["@entity"]);
    }

    [Theory]
    [InlineData("""{"url":"https://h","ca_certificates":["nope"]}""", "ca_certificates[0]", "expected a valid UUID")]
    [InlineData("""{"url":"https://h","tls_verify_depth":65}""", "tls_verify_depth", "value should be between 0 and 64")]
    [InlineData("""{"url":"https://h","tls_verify":"yes"}""", "tls_verify", "expected a boolean")]
    [InlineData("""{"url":"https://h","client_certificate":{"id":"x"}}""", "client_certificate.id", "expected a valid UUID")]
    public void Upstream_tls_field_values_are_checked(string json, string field, string message)
    {
        var (entity, errors) = Read(new ServiceSchema(), json);
        Assert.Null(entity);
        Assert.Equal(message, errors[field]);
    }

    [Fact]
    public void Grpc_route_does_not_strip_its_path_by_default()
    {
        var (entity, errors) = Read(new RouteSchema(), """{"protocols":["grpc","grpcs"],"paths":["/pkg.Service/"]}""");
        Assert.Empty(errors);
        var route = Assert.IsType<RouteEntity>(entity);
        Assert.False(route.StripPath);
        Assert.Equal(["grpc", "grpcs"], route.Protocols);
    }

    [Theory]
    [InlineData("""{"protocols":["grpc"],"paths":["/a"],"strip_path":true}""", "strip_path", "cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'")]
    [InlineData("""{"protocols":["grpcs"],"paths":["/a"],"methods":["POST"]}""", "methods", "cannot set 'methods' when 'protocols' is 'grpc' or 'grpcs'")]
    [InlineData("""{"protocols":["http","grpc"],"paths":["/a"]}""", "protocols", "these sets are mutually exclusive: ('http', 'https'), ('grpc', 'grpcs')")]
    [InlineData("""{"protocols":["grpcs","https"],"paths":["/a"]}""", "protocols", "these sets are mutually exclusive: ('grpc', 'grpcs'), ('http', 'https')")]
    [InlineData("""{"protocols":["grpc"]}""", "@entity", "must set one of 'hosts', 'headers', 'paths' when 'protocols' is 'grpc'")]
    [InlineData("""{"protocols":["grpc","grpcs"]}""", "@entity", "must set one of 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'grpcs'")]
    public void Grpc_route_rules_follow_Kongs_grpc_subschema(string json, string field, string message)
    {
        var (entity, errors) = Read(new RouteSchema(), json);
        Assert.Null(entity);
        Assert.Equal(message, errors[field]);
    }

    [Fact]
    public void Http_route_still_strips_its_path_by_default()
    {
        var (entity, _) = Read(new RouteSchema(), """{"paths":["/a"]}""");
        Assert.True(Assert.IsType<RouteEntity>(entity).StripPath);
    }
}
