using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.EndToEnd;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>
/// ai-semantic-cache against what clients and a misbehaving embeddings model may send: vectors with infinities, of
/// the wrong length or with no direction are never indexed (the request goes to the model); a huge prompt still gets a
/// fixed-size key; CR/LF in a prompt never reaches a header; a client's own cache headers, or another route's prompts,
/// never get it an answer it would not otherwise get.
/// </summary>
[Collection(DevGatewayCollection.Name)]
public sealed class AiSemanticCacheHostileTests(DevGatewayFixture fixture) : IAsyncLifetime
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "semh-" + Guid.NewGuid().ToString("N")[..8];
    private FakeLlmProvider _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeLlmProvider.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private Task RouteAsync(string name, JsonObject? extra = null) =>
        AiRoutes.CreateAsync(_admin, _proxy, name, ("ai-proxy", AiRoutes.Config(_fake, "openai")), ("ai-semantic-cache", AiSemanticCacheTests.CacheConfig(_fake, extra)));

    private async Task<HttpResponseMessage> AskAsync(string prompt, string? route = null, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{route ?? _name}/v1/chat/completions")
        {
            Content = JsonContent.Create(new { messages = new[] { new { role = "user", content = prompt } } }),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await _proxy.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    public static TheoryData<string> BadEmbeddings => new()
    {
        { "[" + string.Join(",", Enumerable.Repeat("1e39", FakeEmbeddings.Dimensions)) + "]" }, // each overflows a float: infinity
        { "[0.1, 0.2, 0.3]" }, // the wrong number of dimensions
        { "[" + string.Join(",", Enumerable.Repeat("0", FakeEmbeddings.Dimensions)) + "]" }, // no direction to compare
        { "[]" },
    };

    [Theory]
    [MemberData(nameof(BadEmbeddings))]
    public async Task An_embedding_with_infinities_the_wrong_length_or_no_direction_is_a_bypass_to_the_model_and_is_never_indexed(string values)
    {
        await RouteAsync(_name);
        _fake.EmbeddingValues = JsonNode.Parse(values)!.AsArray();

        using (var bypassed = await AskAsync("What is the capital of France?"))
        {
            Assert.Equal(HttpStatusCode.OK, bypassed.StatusCode);
            Assert.Equal("Bypass", Header(bypassed, "X-Cache-Status"));
        }

        _fake.EmbeddingValues = null;
        using (var again = await AskAsync("What is the capital of France?"))
        {
            Assert.Equal("Miss", Header(again, "X-Cache-Status")); // nothing was stored from the bad lookup
        }

        Assert.Equal(2, _fake.Requests.Count(r => r.Path == "/v1/chat/completions"));
    }

    [Fact]
    public async Task With_stop_on_failure_a_bad_embedding_is_a_500_naming_it_and_the_model_is_not_called()
    {
        await RouteAsync(_name, new JsonObject { ["stop_on_failure"] = true });
        _fake.EmbeddingValues = [0.1, 0.2];

        using var stopped = await AskAsync("What is the capital of France?");

        Assert.Equal(HttpStatusCode.InternalServerError, stopped.StatusCode);
        var message = JsonNode.Parse(await stopped.Content.ReadAsStringAsync())!["error"]!["message"]!.GetValue<string>();
        Assert.Equal("semantic cache lookup failed: the embeddings model returned 2 dimensions, not the configured 16", message);
        Assert.Equal(0, _fake.Requests.Count(r => r.Path == "/v1/chat/completions"));
    }

    [Fact]
    public async Task A_huge_prompt_is_answered_with_a_key_of_64_hex_digits_and_then_hits()
    {
        await RouteAsync(_name);
        var huge = string.Concat(Enumerable.Repeat("lorem ipsum dolor sit amet ", 30_000)); // ~800 KB, within the 1 MiB body limit

        using var first = await AskAsync(huge);
        using var second = await AskAsync(huge);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Matches("^[0-9a-f]{64}$", Header(first, "X-Cache-Key"));
        Assert.Equal("Hit", Header(second, "X-Cache-Status"));
    }

    [Fact]
    public async Task CR_LF_in_a_prompt_never_reaches_a_header_and_a_clients_own_cache_headers_get_it_nothing()
    {
        await RouteAsync(_name, new JsonObject { ["exact_caching"] = true });
        using var stored = await AskAsync("Where is Paris?");
        var storedKey = Header(stored, "X-Cache-Key");

        using var injected = await AskAsync("Who are you?\r\nX-Injected: 1\r\n\r\n", null, ("X-Cache-Key", storedKey), ("X-Cache-Status", "Hit"), ("Cache-Control", "max-stale"));

        Assert.Equal(HttpStatusCode.OK, injected.StatusCode);
        Assert.Equal("Miss", Header(injected, "X-Cache-Status"));
        Assert.Matches("^[0-9a-f]{64}$", Header(injected, "X-Cache-Key"));
        Assert.NotEqual(storedKey, Header(injected, "X-Cache-Key"));
        Assert.False(injected.Headers.Contains("X-Injected"));
    }

    [Fact]
    public async Task One_routes_cache_never_answers_another_routes_prompts()
    {
        await RouteAsync(_name, new JsonObject { ["exact_caching"] = true });
        await RouteAsync(_name + "-b", new JsonObject { ["exact_caching"] = true });
        using var stored = await AskAsync("What is the capital of France?");

        using var other = await AskAsync("What is the capital of France?", _name + "-b");

        Assert.Equal("Miss", Header(other, "X-Cache-Status"));
        Assert.NotEqual(Header(stored, "X-Cache-Key"), Header(other, "X-Cache-Key"));
    }
}
