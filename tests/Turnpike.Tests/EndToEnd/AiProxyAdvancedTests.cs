using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>
/// ai-proxy-advanced end to end: one route, several models on the fake provider (each model failing its own way
/// through <see cref="FakeLlmProvider.Misbehave"/>), and what a client sees — which model answered, failover on the
/// configured criteria only, never after a stream began, failed targets skipped by the next requests, and tokens
/// metered to the model that answered.
/// </summary>
[Collection(DevGatewayCollection.Name)]
public sealed class AiProxyAdvancedTests(DevGatewayFixture fixture) : IAsyncLifetime
{
    private const string Primary = "gpt-4o";
    private const string Fallback = "gpt-4o-mini";

    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "aiadv-" + Guid.NewGuid().ToString("N")[..8];
    private FakeLlmProvider _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeLlmProvider.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private static string Range => $"from={DateTimeOffset.UtcNow.AddHours(-1):yyyy-MM-ddTHH:mm:ssZ}&to={DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}";

    /// <summary>ai-proxy-advanced with an OpenAI target per (model, weight) at the fake, and <paramref name="balancer"/>.</summary>
    private Task RouteAsync(JsonObject balancer, params (string Model, int Weight)[] targets)
    {
        var list = new JsonArray();
        foreach (var (model, weight) in targets)
        {
            var target = AiRoutes.Config(_fake, "openai", model: model, options: new JsonObject { ["input_cost"] = 1, ["output_cost"] = 2 });
            target["weight"] = weight;
            target["description"] = model + " on the fake";
            list.Add(target);
        }

        return AiRoutes.CreateAsync(_admin, _proxy, _name, ("ai-proxy-advanced", new JsonObject { ["targets"] = list, ["balancer"] = balancer }));
    }

    private async Task<(int Status, string? Model, string Body)> ChatAsync(bool stream = false)
    {
        // No "model": the target's own model answers (a client naming one is held to it, as with ai-proxy).
        using var response = await _proxy.PostAsJsonAsync("/" + _name, new { messages = new[] { new { role = "user", content = "Hi" } }, stream });
        var model = response.Headers.TryGetValues("X-Turnpike-LLM-Model", out var values) ? values.Single() : null;
        return ((int)response.StatusCode, model, await response.Content.ReadAsStringAsync());
    }

    private string[] ModelsAsked() => [.. _fake.Requests.Where(r => r.Method == "POST").Select(r => r.Body!["model"]!.GetValue<string>())];

    [Fact]
    public async Task A_429_fails_over_to_the_next_priority_group_which_is_metered_and_named_and_the_next_request_skips_the_failed_model()
    {
        await RouteAsync(new JsonObject { ["algorithm"] = "priority", ["failover_criteria"] = new JsonArray("error", "timeout", "http_429") }, (Primary, 10), (Fallback, 1));
        _fake.Misbehave(Primary, new FakeLlmProvider.ProviderFault(Status: 429, Message: "slow down"));
        (_fake.PromptTokens, _fake.CompletionTokens) = (13, 5);

        var first = await ChatAsync();
        Assert.Equal(200, first.Status);
        Assert.Equal("openai/" + Fallback, first.Model);
        Assert.Equal([Primary, Fallback], ModelsAsked());

        // Passive health: the model that failed is skipped for a while, so the next request goes straight to the fallback.
        var second = await ChatAsync();
        Assert.Equal(200, second.Status);
        Assert.Equal([Primary, Fallback, Fallback], ModelsAsked());

        // Tokens and cost count for the model that answered, none for the one that refused.
        JsonObject counters = [];
        await Poll.UntilAsync(
            async () =>
            {
                var (_, body) = await _admin.GetJsonAsync($"/billing/usage?service={_name}&{Range}");
                counters = [];
                foreach (var row in body!["data"]!.AsArray())
                {
                    foreach (var (key, value) in row!["counters"]!.AsObject())
                    {
                        counters[key] = (counters[key]?.GetValue<long>() ?? 0) + value!.GetValue<long>();
                    }
                }

                return counters[$"ai_prompt_tokens:openai/{Fallback}"]?.GetValue<long>() == 26;
            },
            TimeSpan.FromSeconds(20),
            "the fallback's tokens in the meters");
        Assert.Equal(10, counters[$"ai_completion_tokens:openai/{Fallback}"]!.GetValue<long>());
        Assert.Equal(((26 * 1) + (10 * 2)) * 1000, counters[$"ai_cost_nanos:openai/{Fallback}"]!.GetValue<long>());
        Assert.DoesNotContain(counters, c => c.Key.EndsWith("/" + Primary, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_500_outside_the_failover_criteria_reaches_the_client_and_is_not_tried_elsewhere()
    {
        await RouteAsync(new JsonObject { ["algorithm"] = "priority" }, (Primary, 10), (Fallback, 1)); // default criteria: error, timeout
        _fake.Misbehave(Primary, new FakeLlmProvider.ProviderFault(Status: 500, Message: "boom"));

        var answer = await ChatAsync();

        Assert.Equal(500, answer.Status);
        Assert.Equal("boom", JsonNode.Parse(answer.Body)!["error"]!["message"]!.GetValue<string>());
        Assert.Equal([Primary], ModelsAsked());
    }

    [Fact]
    public async Task A_target_slower_than_read_timeout_times_out_and_the_next_answers()
    {
        await RouteAsync(new JsonObject { ["algorithm"] = "priority", ["read_timeout"] = 300 }, (Primary, 10), (Fallback, 1));
        _fake.Misbehave(Primary, new FakeLlmProvider.ProviderFault(DelayMs: 5000));

        var answer = await ChatAsync();

        Assert.Equal(200, answer.Status);
        Assert.Equal("openai/" + Fallback, answer.Model);
        Assert.Equal(_fake.ReplyText, JsonNode.Parse(answer.Body)!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_stream_that_broke_off_after_sending_is_never_retried_but_one_dropped_before_any_byte_is()
    {
        await RouteAsync(new JsonObject { ["algorithm"] = "priority" }, (Primary, 10), (Fallback, 1));
        _fake.ReplyText = "one two three four five six";
        _fake.Misbehave(Primary, new FakeLlmProvider.ProviderFault(DropAfterEvents: 3));

        var broken = await ChatAsync(stream: true);

        // The client has part of the answer and OpenAI's error event; nobody else was asked.
        Assert.Equal(200, broken.Status);
        Assert.True(broken.Body.Contains("\"error\"", StringComparison.Ordinal), string.Join(",", ModelsAsked()) + "\n" + broken.Body);
        Assert.EndsWith("data: [DONE]\n\n", broken.Body, StringComparison.Ordinal);
        Assert.Equal([Primary], ModelsAsked());

        // The primary is now skipped; make the fallback drop before its first event and the primary healthy again:
        // nothing went out yet, so the call goes on to the primary.
        _fake.Misbehave(Primary, null);
        _fake.Misbehave(Fallback, new FakeLlmProvider.ProviderFault(DropAfterEvents: 0));
        var retried = await ChatAsync(stream: true);

        Assert.Equal(200, retried.Status);
        Assert.Equal("openai/" + Primary, retried.Model);
        Assert.DoesNotContain("\"error\"", retried.Body, StringComparison.Ordinal);
        Assert.Equal([Primary, Fallback, Primary], ModelsAsked());
    }

    [Fact]
    public async Task Lowest_latency_measures_each_target_once_then_sends_to_the_faster()
    {
        await RouteAsync(new JsonObject { ["algorithm"] = "lowest-latency", ["latency_strategy"] = "e2e" }, (Primary, 1), (Fallback, 1));
        _fake.Misbehave(Primary, new FakeLlmProvider.ProviderFault(DelayMs: 300));

        var models = new List<string?>();
        for (var i = 0; i < 4; i++)
        {
            var answer = await ChatAsync();
            Assert.Equal(200, answer.Status);
            models.Add(answer.Model);
        }

        Assert.Equal(["openai/" + Primary, "openai/" + Fallback, "openai/" + Fallback, "openai/" + Fallback], models);
    }

    [Fact]
    public async Task Round_robin_shares_requests_by_weight()
    {
        await RouteAsync(new JsonObject { ["algorithm"] = "round-robin" }, (Primary, 2), (Fallback, 1));

        var models = new List<string?>();
        for (var i = 0; i < 6; i++)
        {
            var answer = await ChatAsync();
            Assert.Equal(200, answer.Status);
            models.Add(answer.Model);
        }

        Assert.Equal(4, models.Count(m => m == "openai/" + Primary));
        Assert.Equal(2, models.Count(m => m == "openai/" + Fallback));
    }

    [Fact]
    public async Task When_every_target_fails_the_client_gets_the_last_providers_error_after_at_most_retries_more_calls()
    {
        await RouteAsync(
            new JsonObject { ["retries"] = 1, ["failover_criteria"] = new JsonArray("http_503") },
            (Primary, 1),
            (Fallback, 1),
            ("gpt-4.1", 1));
        foreach (var model in new[] { Primary, Fallback, "gpt-4.1" })
        {
            _fake.Misbehave(model, new FakeLlmProvider.ProviderFault(Status: 503, Message: "overloaded"));
        }

        var answer = await ChatAsync();

        Assert.Equal(503, answer.Status);
        Assert.Equal("overloaded", JsonNode.Parse(answer.Body)!["error"]!["message"]!.GetValue<string>());
        Assert.Equal(2, ModelsAsked().Length);
    }
}
