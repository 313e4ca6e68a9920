using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>ai-request-transformer: an LLM (the fake provider, any wire format) rewrites the body before it goes upstream.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class AiTransformerTests(DevGatewayFixture fixture) : IAsyncLifetime
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "ait-" + Guid.NewGuid().ToString("N")[..8];
    private FakeLlmProvider _fake = null!;
    private RecordingUpstream _upstream = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeLlmProvider.StartAsync();
        _upstream = RecordingUpstream.Start();
    }

    public async Task DisposeAsync()
    {
        await _fake.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private async Task RouteAsync(string provider, JsonObject? extra = null)
    {
        var llm = AiRoutes.Config(_fake, provider);
        var config = new JsonObject { ["prompt"] = "Translate the body to French.", ["llm"] = llm }.Merge(extra);
        await _admin.CreateAsync("/services", new { name = _name, url = _upstream.Url });
        await _admin.CreateAsync($"/services/{_name}/routes", new { paths = new[] { "/" + _name } });
        await _admin.CreateAsync($"/services/{_name}/plugins", new JsonObject { ["name"] = "ai-request-transformer", ["config"] = config });
        using var ready = await _proxy.EventuallyAsync("/" + _name, r => r.StatusCode != HttpStatusCode.NotFound);
    }

    private async Task<HttpResponseMessage> PostAsync(string body) =>
        await _proxy.PostAsync($"/{_name}/orders", new StringContent(body, Encoding.UTF8, "text/plain"));

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    [InlineData("gemini")]
    public async Task The_upstream_gets_the_llms_rewrite_of_the_body_and_the_llm_got_the_prompt_and_the_body(string provider)
    {
        await RouteAsync(provider);
        _fake.ReplyText = "Bonjour le monde";

        using var response = await PostAsync("Hello world");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = _upstream.RequestsFor("/orders")[^1];
        Assert.EndsWith("\r\n\r\nBonjour le monde", forwarded, StringComparison.Ordinal);
        Assert.Contains("Content-Length: 16", forwarded, StringComparison.OrdinalIgnoreCase);
        var asked = _fake.Requests[^1].Body!.ToJsonString();
        Assert.Contains("Translate the body to French.", asked, StringComparison.Ordinal);
        Assert.Contains("Hello world", asked, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_extract_pattern_keeps_the_first_match_and_a_reply_without_one_is_a_500()
    {
        await RouteAsync("openai", new JsonObject { ["transformation_extract_pattern"] = "\\{.*\\}" });
        _fake.ReplyText = "Here you are: {\"qty\": 2} Enjoy.";

        using (var response = await PostAsync("two please"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.EndsWith("\r\n\r\n{\"qty\": 2}", _upstream.RequestsFor("/orders")[^1], StringComparison.Ordinal);
        }

        _fake.ReplyText = "no braces here";
        var before = _upstream.RequestsFor("/orders").Count;
        using (var response = await PostAsync("two please"))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Contains("did not match", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(before, _upstream.RequestsFor("/orders").Count);
    }

    [Fact]
    public async Task A_failing_llm_answers_500_and_nothing_goes_upstream()
    {
        await RouteAsync("openai");
        _fake.Error = (503, "overloaded");
        var before = _upstream.RequestsFor("/orders").Count;

        using var response = await PostAsync("Hello");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("failed to introspect request with AI service: overloaded", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, _upstream.RequestsFor("/orders").Count);
    }

    [Fact]
    public async Task A_body_over_the_limit_gets_413_without_an_llm_call()
    {
        await RouteAsync("openai", new JsonObject { ["max_request_body_size"] = 10 });
        var calls = _fake.Requests.Count;

        using var response = await PostAsync(new string('x', 100));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(calls, _fake.Requests.Count);
    }
}
