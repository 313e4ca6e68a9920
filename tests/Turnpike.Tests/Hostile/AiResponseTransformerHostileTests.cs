using System.Net;
using System.Text.Json.Nodes;
using Turnpike.Tests.EndToEnd;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>
/// ai-response-transformer where the LLM or the upstream is hostile: the LLM read a body anyone may have written, so its
/// headers cannot split the response or speak for the gateway, its status stays an HTTP status, its size is bounded;
/// an upstream body above <c>max_request_body_size</c> is refused without being held or sent to the LLM.
/// </summary>
[Collection(DevGatewayCollection.Name)]
public sealed class AiResponseTransformerHostileTests(DevGatewayFixture fixture) : IAsyncLifetime
{
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private FakeLlmProvider _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeLlmProvider.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private Task<string> RouteAsync(JsonObject? extra = null) => AiResponseTransformerTests.RouteAsync(
        fixture.Edge.Admin, _proxy, "arth-" + Guid.NewGuid().ToString("N")[..8], fixture.Upstream.Url, _fake, extra);

    private static async Task<string> ErrorOf(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["message"]!.GetValue<string>();

    [Fact]
    public async Task Llm_headers_that_split_the_response_or_claim_the_gateways_names_never_reach_the_client()
    {
        var path = await RouteAsync(new JsonObject { ["parse_llm_response_json_instructions"] = true });
        _fake.ReplyText = """
            {"status": 200, "headers": {
               "X-Split": "a\r\nSet-Cookie: session=stolen", "X-Nul": "a\u0000b",
               "X-Consumer-ID": "admin", "X-Consumer-Username": "root", "X-Credential-Identifier": "k",
               "Transfer-Encoding": "chunked", "Content-Length": "1", "Connection": "close", "Via": "1.1 evil",
               "X-Good": "fine"},
             "body": "ok"}
            """;

        using var response = await _proxy.GetAsync($"{path}/x");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("fine", response.Headers.GetValues("X-Good").Single());
        foreach (var name in new[] { "X-Split", "X-Nul", "Set-Cookie", "X-Consumer-ID", "X-Consumer-Username", "X-Credential-Identifier" })
        {
            Assert.False(response.Headers.Contains(name), name);
        }

        Assert.DoesNotContain(response.Headers.Via, v => v.ToString().Contains("evil", StringComparison.Ordinal));
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, response.Content.Headers.ContentLength); // the body's own length, not the LLM's "1"
    }

    [Fact]
    public async Task A_status_the_llm_makes_up_is_kongs_500_not_an_invalid_response()
    {
        var path = await RouteAsync(new JsonObject { ["parse_llm_response_json_instructions"] = true });
        _fake.ReplyText = """{"status": 999, "body": "nope"}""";

        using var response = await _proxy.GetAsync($"{path}/x");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("failed to parse JSON response instructions from AI backend: status must be an integer between 100 and 599", await ErrorOf(response));
    }

    [Fact]
    public async Task A_huge_llm_answer_is_refused_unread_past_its_bound_and_the_edge_goes_on()
    {
        var path = await RouteAsync();
        _fake.ReplyText = new string('x', 3 * 1024 * 1024); // above the 2 MiB an LLM answer may take

        using (var response = await _proxy.GetAsync($"{path}/x"))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.StartsWith("failed to introspect request with AI service: the answer is larger than", await ErrorOf(response), StringComparison.Ordinal);
        }

        _fake.ReplyText = "small again";
        using var after = await _proxy.GetAsync($"{path}/x");
        Assert.Equal("small again", await after.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_upstream_body_above_the_bound_is_a_500_and_never_reaches_the_llm()
    {
        var path = await RouteAsync(new JsonObject { ["max_request_body_size"] = 64 });
        var calls = _fake.Requests.Count;

        // The echo answers with the request's first 4 KB in its JSON: far above 64 bytes.
        using var response = await _proxy.PostAsync($"{path}/x", new StringContent(new string('b', 4000)));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("failed to transform response: the upstream's response body is larger than max_request_body_size (64 bytes)", await ErrorOf(response));
        Assert.Equal(calls, _fake.Requests.Count);
    }
}
