using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>aws-lambda through a real edge, against a fake Lambda that checks every SigV4 signature with the secret it knows.</summary>
[Collection(AwsLambdaCollection.Name)]
public sealed class AwsLambdaTests(AwsLambdaFixture fixture)
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

    private FakeLambda.Invocation LastInvocation(string function) => fixture.Lambda.Invocations.Last(i => i.Function == function);

    [Fact]
    public async Task A_signed_invocation_answers_the_functions_payload_with_lambdas_headers_and_the_forwarded_request()
    {
        var path = await fixture.RouteAsync(Config(
            "echo", ("forward_request_method", true), ("forward_request_uri", true), ("forward_request_headers", true), ("forward_request_body", true), ("qualifier", "prod")));

        using var request = new HttpRequestMessage(HttpMethod.Post, path + "/items?color=red&color=blue&flag") { Content = JsonContent.Create(new { name = "widget" }) };
        request.Headers.Add("X-Client", "yes");
        using var response = await _proxy.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("prod", response.Headers.GetValues("X-Amz-Executed-Version").Single());
        Assert.Contains("END function echo", Encoding.UTF8.GetString(Convert.FromBase64String(response.Headers.GetValues("X-Amz-Log-Result").Single())), StringComparison.Ordinal);
        Assert.Contains("turnpike", response.Headers.Via.ToString(), StringComparison.Ordinal);
        var answer = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var lambdaEvent = answer["event"]!;
        Assert.Equal("POST", lambdaEvent["request_method"]!.GetValue<string>());
        Assert.Equal(path + "/items?color=red&color=blue&flag", lambdaEvent["request_uri"]!.GetValue<string>());
        Assert.Equal("""{"color":["red","blue"],"flag":true}""", lambdaEvent["request_uri_args"]!.ToJsonString());
        Assert.Equal("yes", lambdaEvent["request_headers"]!["x-client"]!.GetValue<string>());
        Assert.Equal("""{"name":"widget"}""", lambdaEvent["request_body"]!.GetValue<string>());
        Assert.Equal("widget", lambdaEvent["request_body_args"]!["name"]!.GetValue<string>());

        var invocation = LastInvocation("echo");
        Assert.Equal(AwsLambdaFixture.ConfigKey, invocation.AccessKey);
        Assert.Equal(("RequestResponse", "Tail", "prod"), (invocation.InvocationType, invocation.LogType, invocation.Qualifier));
    }

    [Fact]
    public async Task Without_keys_in_its_config_the_plugin_signs_with_the_environments_credentials_and_region()
    {
        var path = await fixture.RouteAsync(new() { ["function_name"] = "echo" });
        using var response = await _proxy.PostAsync(path + "?a=1", new FormUrlEncodedContent([new("b", "2"), new("c", "x y")]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(AwsLambdaFixture.EnvironmentKey, LastInvocation("echo").AccessKey);

        // Kong's original payload: the query and body arguments in one object.
        var answer = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("""{"a":"1","b":"2","c":"x y"}""", answer["event"]!.ToJsonString());
    }

    [Fact]
    public async Task A_function_named_by_its_arn_is_invoked_with_the_arn_signed_in_its_path()
    {
        var path = await fixture.RouteAsync(Config("arn:aws:lambda:us-east-1:123456789012:function:echo"));
        using var response = await _proxy.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Awsgateway_compatible_invokes_with_the_api_gateway_proxy_event()
    {
        var path = await fixture.RouteAsync(Config("echo", ("awsgateway_compatible", true)));
        using var request = new HttpRequestMessage(HttpMethod.Put, path + "/orders/7?x=1&x=2") { Content = new StringContent("raw body") };
        request.Headers.UserAgent.ParseAdd("tester/1.0");
        using var response = await _proxy.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lambdaEvent = (await response.Content.ReadFromJsonAsync<JsonObject>())!["event"]!;
        Assert.Equal("1.0", lambdaEvent["version"]!.GetValue<string>());
        Assert.Equal("PUT", lambdaEvent["httpMethod"]!.GetValue<string>());
        Assert.EndsWith("/orders/7", lambdaEvent["path"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("1", lambdaEvent["queryStringParameters"]!["x"]!.GetValue<string>());
        Assert.Equal("""["1","2"]""", lambdaEvent["multiValueQueryStringParameters"]!["x"]!.ToJsonString());
        Assert.Equal("tester/1.0", lambdaEvent["headers"]!["user-agent"]!.GetValue<string>());
        Assert.True(lambdaEvent["isBase64Encoded"]!.GetValue<bool>());
        Assert.Equal("raw body", Encoding.UTF8.GetString(Convert.FromBase64String(lambdaEvent["body"]!.GetValue<string>())));
        Assert.Equal("127.0.0.1", lambdaEvent["requestContext"]!["identity"]!["sourceIp"]!.GetValue<string>());
        Assert.Equal("HTTP/1.1", lambdaEvent["requestContext"]!["protocol"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_proxy_integration_answer_sets_the_status_headers_and_body_the_function_chose()
    {
        var path = await fixture.RouteAsync(Config("proxy", ("is_proxy_integration", true)));
        using var response = await _proxy.GetAsync(path);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("proxy", response.Headers.GetValues("X-Function").Single());
        Assert.Equal(["a", "b"], response.Headers.GetValues("X-Multi"));
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("hello from lambda", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("Event", HttpStatusCode.Accepted)]
    [InlineData("DryRun", HttpStatusCode.NoContent)]
    public async Task Asynchronous_and_dry_run_invocations_answer_lambdas_status(string type, HttpStatusCode status)
    {
        var path = await fixture.RouteAsync(Config("echo", ("invocation_type", type)));
        using var response = await _proxy.GetAsync(path);
        Assert.Equal(status, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(type, LastInvocation("echo").InvocationType);
    }

    [Fact]
    public async Task An_unhandled_function_error_passes_through_as_200_or_as_the_unhandled_status()
    {
        var passthrough = await fixture.RouteAsync(Config("crash"));
        using (var response = await _proxy.GetAsync(passthrough))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Unhandled", response.Headers.GetValues("X-Amz-Function-Error").Single());
            Assert.Equal("boom", (await response.Content.ReadFromJsonAsync<JsonObject>())!["errorMessage"]!.GetValue<string>());
        }

        var mapped = await fixture.RouteAsync(Config("crash", ("unhandled_status", 412)));
        using (var response = await _proxy.GetAsync(mapped))
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
            Assert.Equal("boom", (await response.Content.ReadFromJsonAsync<JsonObject>())!["errorMessage"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_function_slower_than_the_timeout_gets_504()
    {
        var path = await fixture.RouteAsync(Config("slow", ("timeout", 300)));
        using var response = await _proxy.GetAsync(path);
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("The upstream server is timing out", (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_signature_lambda_rejects_is_a_500_with_the_reason_logged_and_no_secret()
    {
        const string wrongSecret = "wrong/secret+VALUE/that-must-not-be-logged";
        var path = await fixture.RouteAsync(new() { ["function_name"] = "echo", ["aws_key"] = AwsLambdaFixture.ConfigKey, ["aws_secret"] = wrongSecret });
        using var response = await _proxy.GetAsync(path);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("An unexpected error occurred", (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
        await Poll.UntilAsync(() => Task.FromResult(fixture.Edge.Process.Output.Contains("[3102]", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the refusal in the edge's log");
        var output = fixture.Edge.Process.Output;
        Assert.Contains("The request signature we calculated does not match", output, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongSecret, output, StringComparison.Ordinal);
        Assert.DoesNotContain(AwsLambdaFixture.ConfigSecret, output, StringComparison.Ordinal);
        Assert.DoesNotContain(AwsLambdaFixture.EnvironmentSecret, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_assumed_role_signs_with_sts_credentials_asked_for_once()
    {
        var path = await fixture.RouteAsync(new()
        {
            ["function_name"] = "echo",
            ["aws_assume_role_arn"] = "arn:aws:iam::123456789012:role/invoker",
            ["aws_role_session_name"] = "turnpike-test",
            ["aws_sts_endpoint_url"] = fixture.Lambda.Url,
        });
        for (var i = 0; i < 3; i++)
        {
            using var response = await _proxy.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("ASIA", LastInvocation("echo").AccessKey, StringComparison.Ordinal);
        }

        Assert.Equal(1, fixture.Lambda.StsCalls);
    }

    [Fact]
    public async Task Legacy_empty_arrays_mode_answers_empty_arrays_as_objects_and_correct_mode_as_arrays()
    {
        var legacy = await fixture.RouteAsync(Config("empty-array"));
        Assert.Equal("""{"items":{},"nested":{"list":{}},"full":[1]}""", await _proxy.GetStringAsync(legacy));

        var correct = await fixture.RouteAsync(Config("empty-array", ("empty_arrays_mode", "correct")));
        Assert.Equal("""{"items":[],"nested":{"list":[]},"full":[1]}""", await _proxy.GetStringAsync(correct));
    }

    [Fact]
    public async Task Lambda_invocations_are_metered_like_any_service()
    {
        var path = await fixture.RouteAsync(Config("echo"));
        for (var i = 0; i < 3; i++)
        {
            using var response = await _proxy.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // The route's readiness check was the first invocation: four in all, each a 2xx with its bytes.
        var range = $"from={DateTimeOffset.UtcNow.AddHours(-1):yyyy-MM-ddTHH:mm:ssZ}&to={DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}";
        JsonNode? usage = null;
        await Poll.UntilAsync(
            async () => (usage = (await fixture.Edge.Admin.GetJsonAsync($"/billing/usage?service={path[1..]}&{range}")).Body)!["total"]!["requests"]!.GetValue<long>() >= 4,
            TimeSpan.FromSeconds(20),
            "the invocations in the meters");
        var row = usage!["data"]!.AsArray().Single()!;
        Assert.Equal((4, 4, 0), (row["requests"]!.GetValue<long>(), row["status_2xx"]!.GetValue<long>(), row["rejected"]!.GetValue<long>()));
        Assert.True(row["bytes_out"]!.GetValue<long>() > 0);
    }

    [Fact]
    public async Task The_schema_endpoint_describes_aws_lambda()
    {
        var (status, body) = await fixture.Edge.Admin.GetJsonAsync("/schemas/plugins/aws-lambda");
        Assert.Equal(200, status);
        var text = body!.ToJsonString();
        Assert.Contains("\"invocation_type\":{\"type\":\"string\",\"one_of\":[\"RequestResponse\",\"Event\",\"DryRun\"],\"default\":\"RequestResponse\",\"required\":true}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_config_with_a_key_and_no_secret_gets_kongs_400()
    {
        var (status, body) = await fixture.Edge.Admin.PostJsonAsync("/plugins", new { name = "aws-lambda", config = new { function_name = "f", aws_key = "AKID" } });
        Assert.Equal(400, status);
        Assert.Equal("all or none of these fields must be set: 'config.aws_key', 'config.aws_secret'", body!["fields"]!["config"]!["@entity"]![0]!.GetValue<string>());
    }
}
