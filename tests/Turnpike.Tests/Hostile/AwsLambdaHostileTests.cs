using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.EndToEnd;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>
/// aws-lambda where a function, a client or an admin is hostile: a function's headers cannot split the response,
/// its answer cannot be larger than Lambda's own limit, a client cannot sign or steer the invocation, a body cannot
/// grow the edge's memory, and a config cannot put text where a path or query goes.
/// </summary>
[Collection(AwsLambdaCollection.Name)]
public sealed class AwsLambdaHostileTests(AwsLambdaFixture fixture)
{
    private readonly HttpClient _proxy = fixture.Edge.Proxy;

    private static Dictionary<string, object?> Config(string function, params (string Key, object? Value)[] more)
    {
        var config = new Dictionary<string, object?> { ["function_name"] = function, ["aws_key"] = AwsLambdaFixture.ConfigKey, ["aws_secret"] = AwsLambdaFixture.ConfigSecret };
        foreach (var (key, value) in more)
        {
            config[key] = value;
        }

        return config;
    }

    [Fact]
    public async Task Response_splitting_headers_and_bad_names_from_a_function_never_reach_the_client()
    {
        var path = await fixture.RouteAsync(Config("bad-headers", ("is_proxy_integration", true)));
        using var response = await _proxy.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("fine", response.Headers.GetValues("X-Good").Single());
        Assert.False(response.Headers.Contains("X-Injected"));
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Equal(2, response.Content.Headers.ContentLength); // the body's own length, not the function's "1"
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_answer_larger_than_lambda_allows_is_a_bad_gateway_not_a_memory_sink()
    {
        var path = await fixture.RouteAsync(Config("huge"));
        using var response = await _proxy.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);

        var echo = await fixture.RouteAsync(Config("echo"));
        using var after = await _proxy.GetAsync(echo);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode); // the edge is still there
    }

    [Fact]
    public async Task A_function_answer_that_is_not_a_proxy_response_gets_kongs_502()
    {
        var path = await fixture.RouteAsync(Config("not-json", ("is_proxy_integration", true)));
        using var response = await _proxy.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Bad Gateway", body["message"]!.GetValue<string>());
        Assert.StartsWith("could not JSON decode Lambda function response: ", body["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_cannot_sign_the_invocation_or_choose_its_type_with_its_own_headers()
    {
        var path = await fixture.RouteAsync(Config("echo"));
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEVIL/20150830/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=00");
        request.Headers.TryAddWithoutValidation("X-Amz-Invocation-Type", "Event");
        request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", "stolen");
        using var response = await _proxy.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var invocation = fixture.Lambda.Invocations.Last(i => i.Function == "echo");
        Assert.Equal(AwsLambdaFixture.ConfigKey, invocation.AccessKey);
        Assert.Equal("RequestResponse", invocation.InvocationType);
    }

    [Fact]
    public async Task A_body_over_lambdas_limit_is_refused_or_left_out_never_buffered_whole()
    {
        var body = new byte[(6 * 1024 * 1024) + 1];
        var refusing = await fixture.RouteAsync(Config("echo", ("skip_large_bodies", false), ("forward_request_body", true)));
        using (var response = await _proxy.PostAsync(refusing, new ByteArrayContent(body)))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }

        var skipping = await fixture.RouteAsync(Config("echo", ("forward_request_body", true)));
        using (var response = await _proxy.PostAsync(skipping, new ByteArrayContent(body)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var lambdaEvent = (await response.Content.ReadFromJsonAsync<JsonObject>())!["event"]!;
            Assert.Equal("", lambdaEvent["request_body"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("function_name", "echo/../../admin")]
    [InlineData("function_name", "echo\r\nX-Amz-Invocation-Type: Event")]
    [InlineData("qualifier", "1?x=y")]
    [InlineData("aws_region", "us-east-1/../../x")]
    [InlineData("host", "127.0.0.1/evil")]
    [InlineData("aws_role_session_name", "a\u0000b")]
    public async Task A_config_value_that_would_leave_its_place_in_the_request_is_a_400_and_stores_nothing(string field, string value)
    {
        var name = "lambda-bad-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.Edge.Admin.CreateAsync("/services", new { name, url = "http://127.0.0.1:9" });
        var config = Config("echo");
        config[field] = value;
        var (status, body) = await fixture.Edge.Admin.PostJsonAsync($"/services/{name}/plugins", new { name = "aws-lambda", config });

        Assert.Equal(400, status);
        Assert.NotNull(body!["fields"]!["config"]![field]);
        var (_, plugins) = await fixture.Edge.Admin.GetJsonAsync($"/services/{name}/plugins");
        Assert.Empty(plugins!["data"]!.AsArray());
    }
}
