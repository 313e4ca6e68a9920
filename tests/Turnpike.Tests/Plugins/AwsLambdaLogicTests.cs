using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Plugins.AwsLambda;
using Turnpike.Edge.Schema;
using Xunit;

namespace Turnpike.Tests.Plugins;

/// <summary>aws-lambda's pure parts: its Kong schema, the proxy-integration answer, the legacy empty arrays, ARNs, STS answers.</summary>
[Fast]
public sealed class AwsLambdaLogicTests
{
    private static readonly IGatewayPlugin Plugin = new AwsLambdaPlugin(new ConfigurationBuilder().Build(), new FakeTimeProvider(), NullLoggerFactory.Instance);

    private static (JsonObject Stored, IReadOnlyDictionary<string, string> Errors) Read(string json)
    {
        var errors = new FieldErrors();
        var stored = Plugin.ReadConfig(new FieldReader(JsonNode.Parse(json)!.AsObject(), errors, "config."));
        return (stored, errors.All);
    }

    [Fact]
    public void Aws_lambda_stores_kongs_defaults()
    {
        var (stored, errors) = Read("""{"function_name":"hello"}""");
        Assert.Empty(errors);
        Assert.Equal(60000, stored["timeout"]!.GetValue<double>());
        Assert.Equal(60000, stored["keepalive"]!.GetValue<double>());
        Assert.Equal("RequestResponse", stored["invocation_type"]!.GetValue<string>());
        Assert.Equal("Tail", stored["log_type"]!.GetValue<string>());
        Assert.Equal(443, stored["port"]!.GetValue<int>());
        Assert.Equal("kong", stored["aws_role_session_name"]!.GetValue<string>());
        Assert.True(stored["skip_large_bodies"]!.GetValue<bool>());
        Assert.True(stored["base64_encode_body"]!.GetValue<bool>());
        Assert.False(stored["is_proxy_integration"]!.GetValue<bool>());
        Assert.Equal("legacy", stored["empty_arrays_mode"]!.GetValue<string>());
        Assert.NotNull(Plugin.CreateHandler(stored, Guid.NewGuid()));
    }

    [Theory]
    [InlineData("""{"function_name":"f","aws_key":"AKID"}""", "config.@entity", "all or none of these fields must be set: 'config.aws_key', 'config.aws_secret'")]
    [InlineData("""{"function_name":"f","proxy_url":"https://proxy.test:3128"}""", "config.@entity", "proxy_url scheme must be http")]
    [InlineData("""{}""", "config.function_name", "required field missing")]
    [InlineData("""{"function_name":"../../admin"}""", "config.function_name", "expected a function name, or its ARN (letters, digits, - _ . : $)")]
    [InlineData("""{"function_name":"f","qualifier":"1&Qualifier=2"}""", "config.qualifier", "expected 1 to 128 of: letters, digits, $ - _")]
    [InlineData("""{"function_name":"f","invocation_type":"Async"}""", "config.invocation_type", "expected one of: RequestResponse, Event, DryRun")]
    [InlineData("""{"function_name":"f","unhandled_status":1000}""", "config.unhandled_status", "value should be between 100 and 999")]
    [InlineData("""{"function_name":"f","aws_region":"us-east-1\r\nX: y"}""", "config.aws_region", "must not contain control characters")]
    [InlineData("""{"function_name":"f","host":"a b"}""", "config.host", "invalid hostname: a b")]
    [InlineData("""{"function_name":"f","aws_sts_endpoint_url":"sts"}""", "config.aws_sts_endpoint_url", "missing host in url")]
    public void A_bad_aws_lambda_config_names_its_field(string json, string field, string message)
    {
        var (_, errors) = Read(json);
        Assert.Equal(message, errors[field]);
    }

    [Fact]
    public void The_schema_describes_kongs_fields_and_checks()
    {
        var described = Plugin.DescribeConfig();
        var fields = described["fields"]!.AsArray().Select(f => f!.AsObject().First().Key).ToList();
        Assert.Equal(
            ["timeout", "keepalive", "aws_key", "aws_secret", "aws_assume_role_arn", "aws_role_session_name", "aws_sts_endpoint_url", "aws_region",
             "function_name", "qualifier", "invocation_type", "log_type", "host", "port", "disable_https", "unhandled_status", "forward_request_method",
             "forward_request_uri", "forward_request_headers", "forward_request_body", "is_proxy_integration", "awsgateway_compatible", "proxy_url",
             "skip_large_bodies", "base64_encode_body", "aws_imds_protocol_version", "empty_arrays_mode"],
            fields);
        Assert.Contains("mutually_required", described["entity_checks"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_proxy_integration_answer_gives_status_headers_and_the_decoded_body()
    {
        var answer = LambdaProxyResponse.Parse(Encoding.UTF8.GetBytes("""
            {"statusCode":"201","headers":{"X-A":"1","X-B":"single"},"multiValueHeaders":{"X-B":["m1","m2"]},"body":"aGk=","isBase64Encoded":true}
            """), out var error);
        Assert.Null(error);
        Assert.Equal(201, answer!.StatusCode);
        Assert.Equal("hi", Encoding.UTF8.GetString(answer.Body));
        Assert.Equal([("X-A", "1"), ("X-B", "m1"), ("X-B", "m2")], answer.Headers);
    }

    [Theory]
    [InlineData("""{"body":"x"}""", "statusCode validation failed")]
    [InlineData("""{"statusCode":700}""", "statusCode validation failed")]
    [InlineData("""{"statusCode":200,"headers":"x"}""", "headers must be a table")]
    [InlineData("""{"statusCode":200,"body":{"a":1}}""", "body must be a string")]
    [InlineData("""{"statusCode":200,"isBase64Encoded":"yes"}""", "isBase64Encoded must be a boolean")]
    [InlineData("""{"statusCode":200,"body":"%%%","isBase64Encoded":true}""", "body is not valid base64")]
    [InlineData("""[1]""", "proxy response must be json format")]
    public void A_malformed_proxy_integration_answer_says_why_as_Kong_does(string json, string reason)
    {
        Assert.Null(LambdaProxyResponse.Parse(Encoding.UTF8.GetBytes(json), out var error));
        Assert.Equal(reason, error);
    }

    [Fact]
    public void Legacy_mode_sends_empty_arrays_as_empty_objects_and_keeps_the_rest()
    {
        var legacy = LambdaInvocation.LegacyEmptyArrays("""{"items":[],"nested":{"list":[]},"full":[1,"x"],"n":1.5}"""u8.ToArray());
        Assert.Equal("""{"items":{},"nested":{"list":{}},"full":[1,"x"],"n":1.5}""", Encoding.UTF8.GetString(legacy));
        Assert.Equal("not json [", Encoding.UTF8.GetString(LambdaInvocation.LegacyEmptyArrays("not json ["u8.ToArray())));
    }

    [Theory]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:function:hello", "eu-west-1")]
    [InlineData("arn:aws:lambda:ap-south-1:123456789012:function:hello:prod", "ap-south-1")]
    [InlineData("hello", null)]
    [InlineData("123456789012:function:hello", null)]
    public void A_function_arn_names_its_region(string function, string? region) => Assert.Equal(region, LambdaInvocation.ArnRegion(function));

    [Fact]
    public void Query_arguments_read_as_Kong_reads_them()
    {
        var args = LambdaEvent.QueryArgs("?a=1&flag&b=x&b=y&e=&sp=a%20b");
        Assert.Equal("""{"a":"1","flag":true,"b":["x","y"],"e":"","sp":"a b"}""", args.ToJsonString());
    }

    [Fact]
    public void An_sts_answer_gives_temporary_credentials_and_a_malformed_one_none()
    {
        var credentials = AwsStsCredentials.Parse("""
            <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>
            <AccessKeyId>ASIAX</AccessKeyId><SecretAccessKey>s3cr3t</SecretAccessKey><SessionToken>tok</SessionToken>
            <Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>
            """);
        Assert.Equal("ASIAX", credentials!.AccessKeyId);
        Assert.Equal("tok", credentials.SessionToken);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), credentials.Expiration);

        Assert.Null(AwsStsCredentials.Parse("<AssumeRoleResponse><Credentials><AccessKeyId>A</AccessKeyId></Credentials></AssumeRoleResponse>"));
        Assert.Null(AwsStsCredentials.Parse("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>"));
    }
}
