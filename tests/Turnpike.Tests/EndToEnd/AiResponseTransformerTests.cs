using System.Net;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>ai-response-transformer: an LLM (the fake provider) rewrites the upstream's answer before the client gets it.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class AiResponseTransformerTests(DevGatewayFixture fixture) : IAsyncLifetime
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "art-" + Guid.NewGuid().ToString("N")[..8];
    private FakeLlmProvider _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeLlmProvider.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    /// <summary>A route to the fixture's echo upstream with ai-response-transformer; returns the route's path.</summary>
    internal static async Task<string> RouteAsync(HttpClient admin, HttpClient proxy, string name, string upstreamUrl, FakeLlmProvider fake, JsonObject? extra = null)
    {
        var config = new JsonObject { ["prompt"] = "Summarise the body in French.", ["llm"] = AiRoutes.Config(fake, "openai") }.Merge(extra);
        await admin.CreateAsync("/services", new { name, url = upstreamUrl });
        await admin.CreateAsync($"/services/{name}/routes", new { paths = new[] { "/" + name } });
        await admin.CreateAsync($"/services/{name}/plugins", new JsonObject { ["name"] = "ai-response-transformer", ["config"] = config });
        using var ready = await proxy.EventuallyAsync("/" + name, r => r.StatusCode != HttpStatusCode.NotFound);
        return "/" + name;
    }

    private Task<string> RouteAsync(JsonObject? extra = null) => RouteAsync(_admin, _proxy, _name, fixture.Upstream.Url, _fake, extra);

    [Fact]
    public async Task The_client_gets_the_llms_rewrite_under_the_upstreams_status_and_headers_and_the_llm_got_the_upstreams_body()
    {
        var path = await RouteAsync();
        _fake.ReplyText = "Bonjour, commande reçue";

        using var response = await _proxy.GetAsync($"{path}/orders?respond_status=201&respond_header=X-Up:yes");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("yes", response.Headers.GetValues("X-Up").Single());
        Assert.Equal("Bonjour, commande reçue", await response.Content.ReadAsStringAsync());
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount("Bonjour, commande reçue"), response.Content.Headers.ContentLength);
        var asked = _fake.Requests[^1].Body!.ToJsonString();
        Assert.Contains("Summarise the body in French.", asked, StringComparison.Ordinal);
        Assert.Contains("/orders", asked, StringComparison.Ordinal); // the echo's body names the path it was asked for
    }

    [Fact]
    public async Task With_json_instructions_the_llm_chooses_the_status_headers_and_body()
    {
        var path = await RouteAsync(new JsonObject { ["parse_llm_response_json_instructions"] = true });
        _fake.ReplyText = """{"status": 418, "headers": {"Content-Type": "text/plain", "X-From-Llm": "yes"}, "body": "short and stout"}""";

        using var response = await _proxy.GetAsync($"{path}/tea?respond_header=X-Up:kept");

        Assert.Equal((HttpStatusCode)418, response.StatusCode);
        Assert.Equal("yes", response.Headers.GetValues("X-From-Llm").Single());
        Assert.Equal("kept", response.Headers.GetValues("X-Up").Single()); // the upstream's headers stay unless the LLM names them
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("short and stout", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_extract_pattern_keeps_the_first_match_and_a_reply_without_one_is_kongs_500()
    {
        var path = await RouteAsync(new JsonObject { ["transformation_extract_pattern"] = "\\{.*\\}" });

        _fake.ReplyText = "Here you are: {\"total\": 3} Enjoy.";
        using (var response = await _proxy.GetAsync($"{path}/cart"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("{\"total\": 3}", await response.Content.ReadAsStringAsync());
        }

        _fake.ReplyText = "no braces";
        using (var response = await _proxy.GetAsync($"{path}/cart"))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal("AI response did not match specified regular expression", error["error"]!["message"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_failing_llm_is_kongs_500_and_the_upstreams_answer_never_leaks()
    {
        var path = await RouteAsync();
        _fake.Error = (503, "overloaded");

        using var response = await _proxy.GetAsync($"{path}/orders?respond_header=X-Up:secret");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Up"));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("failed to introspect request with AI service: overloaded", error["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Behind_ai_proxy_the_llms_answer_is_what_gets_transformed()
    {
        var transformer = new JsonObject { ["prompt"] = "Make it formal.", ["llm"] = AiRoutes.Config(_fake, "openai") };
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy", AiRoutes.Config(_fake, "anthropic")), ("ai-response-transformer", transformer));
        _fake.ReplyText = "Good day.";

        var (status, _, response) = await AiRoutes.PostChatAsync(_proxy, $"/{_name}/v1/chat/completions", new { messages = new[] { new { role = "user", content = "hi" } } });

        using (response)
        {
            Assert.Equal(200, status);
            Assert.Equal("Good day.", await response.Content.ReadAsStringAsync());
        }

        var asked = _fake.Requests[^1];
        Assert.Equal("/v1/chat/completions", asked.Path); // the transformer's call (OpenAI), after ai-proxy's (Anthropic)
        Assert.Contains("chat.completion", asked.Body!.ToJsonString(), StringComparison.Ordinal); // ai-proxy's answer was its input
    }
}
