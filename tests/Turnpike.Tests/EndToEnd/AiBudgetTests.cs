using System.Net;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>
/// ai-budget on one edge: a consumer's money, reserved before each call at the model's prices and settled to the real
/// cost after. The chat sent is estimated at 15 prompt tokens and 10 completion tokens (its max_tokens); at 100 per
/// million prompt tokens and 200 per million completion tokens that is 0.0035, and the fake's default usage (11 and 7
/// tokens) costs 0.0025.
/// </summary>
[Collection(DevGatewayCollection.Name)]
public sealed class AiBudgetTests(DevGatewayFixture fixture) : IAsyncLifetime
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "aib-" + Guid.NewGuid().ToString("N")[..8];
    private FakeLlmProvider _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeLlmProvider.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private static readonly object Chat = new
    {
        max_tokens = 10,
        messages = new object[] { new { role = "system", content = "You are terse." }, new { role = "user", content = "Say hello." } },
    };

    /// <summary>A key-auth AI route with ai-budget as <paramref name="budget"/> says; consumers <c>{name}-a</c> and <c>{name}-b</c>, keys alike.</summary>
    private async Task<string> BudgetRouteAsync(JsonObject budget)
    {
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromDays(1));
        var prices = new JsonObject { ["input_cost"] = 100, ["output_cost"] = 200 };
        await AiRoutes.CreateAsync(_admin, _proxy, _name, ("key-auth", new JsonObject()), ("ai-budget", budget), ("ai-proxy", AiRoutes.Config(_fake, "openai", options: prices)));
        foreach (var consumer in new[] { _name + "-a", _name + "-b" })
        {
            await _admin.CreateAsync("/consumers", new { username = consumer });
            await _admin.CreateAsync($"/consumers/{consumer}/key-auth", new { key = consumer });
        }

        using var ready = await _proxy.EventuallyAsync($"/{_name}?apikey={_name}-b", r => r.StatusCode != HttpStatusCode.Unauthorized);
        return $"/{_name}/v1/chat/completions?apikey=";
    }

    private async Task<(int Status, JsonObject? Body, HttpResponseMessage Response)> SendAsync(string path, string consumer) =>
        await AiRoutes.PostChatAsync(_proxy, path + _name + consumer, Chat);

    private static string Header(HttpResponseMessage response, string name) => string.Join(",", response.Headers.GetValues(name));

    [Fact]
    public async Task A_consumers_day_budget_is_settled_to_the_real_cost_and_refused_with_402_when_spent_while_another_consumer_goes_on()
    {
        // 0.0065: reserve 0.0035 (0.003 left), settle to 0.0025 (0.004 left), reserve (0.0005 left), settle (0.0015 left), refuse.
        // Without the refund the second call would already be refused (0.003 < 0.0035).
        var path = await BudgetRouteAsync(new JsonObject { ["day"] = 0.0065 });

        var (status, _, response) = await SendAsync(path, "-a");
        using (response)
        {
            Assert.Equal(200, status);
            Assert.Equal("0.0065", Header(response, "X-AI-Budget-Limit-Day"));
            Assert.Equal("0.003", Header(response, "X-AI-Budget-Remaining-Day"));
        }

        (status, _, response) = await SendAsync(path, "-a");
        using (response)
        {
            Assert.Equal(200, status);
            Assert.Equal("0.0005", Header(response, "X-AI-Budget-Remaining-Day"));
        }

        (status, var body, response) = await SendAsync(path, "-a");
        using (response)
        {
            Assert.Equal(402, status);
            Assert.Equal("AI budget exceeded", body!["error"]!["message"]!.GetValue<string>());
            Assert.Equal("insufficient_quota", body["error"]!["type"]!.GetValue<string>());
            Assert.Equal("0.0015", Header(response, "X-AI-Budget-Remaining-Day"));
            Assert.True(response.Headers.RetryAfter!.Delta!.Value.TotalSeconds >= 1);
        }

        Assert.Equal(2, _fake.Requests.Count);

        (status, _, response) = await SendAsync(path, "-b");
        using (response)
        {
            Assert.Equal(200, status);
            Assert.Equal("0.003", Header(response, "X-AI-Budget-Remaining-Day"));
        }

        // The admin API reads the counter: once the leases holding refunds have gone back (≤ 1 s, swept every 1 s),
        // what each consumer used is what its calls cost.
        var (_, plugins) = await _admin.GetJsonAsync($"/services/{_name}/plugins");
        var budgetId = plugins!["data"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "ai-budget")!["id"]!.GetValue<string>();
        JsonNode? day = null;
        await Poll.UntilAsync(
            async () =>
            {
                var (code, budget) = await _admin.GetJsonAsync($"/billing/budgets/{budgetId}/{_name}-a");
                Assert.Equal(200, code);
                day = budget!["windows"]![0];
                return day!["used"]!.GetValue<decimal>() == 0.005m;
            },
            TimeSpan.FromSeconds(10),
            "consumer a's used budget to settle at 0.005");
        Assert.Equal(0.0065m, day!["limit"]!.GetValue<decimal>());
        Assert.Equal(0.0015m, day["remaining"]!.GetValue<decimal>());
        Assert.Equal(404, (await _admin.GetJsonAsync($"/billing/budgets/{budgetId}/nobody-{_name}")).Status);
    }

    [Fact]
    public async Task A_call_costing_more_than_its_estimate_is_charged_in_full_so_the_next_is_refused_with_the_configured_429()
    {
        // 30 and 20 tokens cost 0.007: reserve 0.0035 of 0.01, settle to 0.007 (0.003 left), refuse. Charging only the estimate would admit it.
        var path = await BudgetRouteAsync(new JsonObject { ["day"] = 0.01, ["month"] = 1, ["error_code"] = 429 });
        (_fake.PromptTokens, _fake.CompletionTokens) = (30, 20);

        var (status, _, response) = await SendAsync(path, "-a");
        response.Dispose();
        Assert.Equal(200, status);

        (status, var body, response) = await SendAsync(path, "-a");
        using (response)
        {
            Assert.Equal(429, status);
            Assert.Equal("insufficient_quota", body!["error"]!["code"]!.GetValue<string>());
            Assert.Equal("0.003", Header(response, "X-AI-Budget-Remaining-Day"));
            Assert.Equal("0.993", Header(response, "X-AI-Budget-Remaining-Month"));
        }
    }

    [Fact]
    public async Task A_call_the_provider_refuses_costs_nothing()
    {
        // 0.004 holds one estimate; a refused call gives it all back, so the next one is admitted.
        var path = await BudgetRouteAsync(new JsonObject { ["day"] = 0.004 });
        _fake.Error = (500, "overloaded");
        var (status, _, response) = await SendAsync(path, "-a");
        response.Dispose();
        Assert.Equal(500, status);

        _fake.Error = null;
        (status, _, response) = await SendAsync(path, "-a");
        using (response)
        {
            Assert.Equal(200, status);
            Assert.Equal("0.0005", Header(response, "X-AI-Budget-Remaining-Day"));
        }
    }
}
