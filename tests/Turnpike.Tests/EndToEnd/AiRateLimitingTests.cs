using System.Net;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>
/// ai-rate-limiting: a request reserves its estimated tokens, and the reservation is settled to what the provider
/// reported, both ways. The chat sent is estimated at 25 tokens (15 for the prompt, 10 for max_tokens).
/// </summary>
[Collection(DevGatewayCollection.Name)]
public sealed class AiRateLimitingTests(DevGatewayFixture fixture) : IAsyncLifetime
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "airl-" + Guid.NewGuid().ToString("N")[..8];
    private FakeLlmProvider _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeLlmProvider.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private static readonly object Chat = new
    {
        max_tokens = 10,
        messages = new object[] { new { role = "system", content = "You are terse." }, new { role = "user", content = "Say hello." } },
    };

    private async Task<string> LimitedRouteAsync(JsonObject limits)
    {
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromHours(1));
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-rate-limiting", limits), ("ai-proxy", AiRoutes.Config(_fake, "openai")));
        return $"/{_name}/v1/chat/completions";
    }

    private async Task<HttpStatusCode[]> SendAsync(string path, int times)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < times; i++)
        {
            var (status, body, response) = await AiRoutes.PostChatAsync(_proxy, path, Chat);
            using (response)
            {
                statuses.Add((HttpStatusCode)status);
                if (status == 429)
                {
                    Assert.Equal("AI token rate limit exceeded", body!["error"]!["message"]!.GetValue<string>());
                    Assert.True(response.Headers.RetryAfter!.Delta!.Value.TotalSeconds >= 1);
                }
            }
        }

        return [.. statuses];
    }

    [Theory]
    [InlineData("cluster")]
    [InlineData("local")]
    public async Task Tokens_used_below_the_estimate_are_given_back_so_the_next_request_fits(string policy)
    {
        // 18 tokens used each: reserve 25 (20 left), settle to 18 (27 left), reserve 25 (2 left), settle (9 left), refuse.
        // Without the refund the second request would already be refused (20 < 25).
        var path = await LimitedRouteAsync(new JsonObject { ["hour"] = 45, ["policy"] = policy, ["limit_by"] = "ip" });
        (_fake.PromptTokens, _fake.CompletionTokens) = (11, 7);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], await SendAsync(path, 3));
        Assert.Equal(2, _fake.Requests.Count);
    }

    [Theory]
    [InlineData("cluster")]
    [InlineData("local")]
    public async Task Tokens_used_beyond_the_estimate_are_charged_so_the_next_request_is_refused(string policy)
    {
        // 50 tokens used: reserve 25 (35 left), settle to 50 (10 left), refuse. Charging only the estimate would admit it.
        var path = await LimitedRouteAsync(new JsonObject { ["hour"] = 60, ["policy"] = policy, ["limit_by"] = "ip" });
        (_fake.PromptTokens, _fake.CompletionTokens) = (30, 20);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests], await SendAsync(path, 2));
    }

    [Fact]
    public async Task Completion_token_strategy_counts_only_completion_tokens_and_reports_ai_rate_limit_headers()
    {
        // Reserve 10 (max_tokens) of 25; 7 used each time: 25 → 15 → 18 → 8 → 11 → 1 → 4 → refused.
        var path = await LimitedRouteAsync(new JsonObject { ["hour"] = 25, ["tokens_count_strategy"] = "completion_tokens", ["policy"] = "local", ["limit_by"] = "ip" });
        (_fake.PromptTokens, _fake.CompletionTokens) = (500, 7);
        var (status, _, response) = await AiRoutes.PostChatAsync(_proxy, path, Chat);
        using (response)
        {
            Assert.Equal(200, status);
            Assert.Equal("25", string.Join(",", response.Headers.GetValues("X-AI-RateLimit-Limit-Hour")));
            Assert.Equal("15", string.Join(",", response.Headers.GetValues("X-AI-RateLimit-Remaining-Hour")));
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], await SendAsync(path, 3));
    }

    [Fact]
    public async Task Config_errors_get_400()
    {
        await _admin.CreateAsync("/services", new { name = _name, url = "http://127.0.0.1:9" });
        var (status, body) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "ai-rate-limiting", config = new { minute = 10, tokens_count_strategy = "words" } });
        Assert.Equal(400, status);
        Assert.Equal("expected one of: total_tokens, prompt_tokens, completion_tokens", body!["fields"]!["config"]!["tokens_count_strategy"]!.GetValue<string>());
        (status, body) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "ai-rate-limiting", config = new { } });
        Assert.Equal(400, status);
        Assert.Contains("at least one of these fields must be non-empty", body!.ToJsonString(), StringComparison.Ordinal);
    }
}
