using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Turnpike.Tests.EndToEnd;

/// <summary>Exactness and cost of the cluster policy across three edges, and what the local policy does instead.</summary>
public sealed class RateLimitClusterTests(ThreeEdgeFixture fixture, ITestOutputHelper output) : IClassFixture<ThreeEdgeFixture>
{
    private readonly string _name = "rlc-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A key-auth route limited as <paramref name="config"/> says; consumer <c>{name}</c> with key <c>{name}-key</c>; served by every edge.</summary>
    private async Task<string> LimitedRouteAsync(object config)
    {
        var admin = fixture.Edges[0].Admin;
        Assert.Equal(201, (await admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url })).Status);
        Assert.Equal(201, (await admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "key-auth" })).Status);
        var (status, body) = await admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "rate-limiting", config });
        Assert.True(status == 201, body?.ToJsonString());
        Assert.Equal(201, (await admin.PostJsonAsync("/consumers", new { username = _name })).Status);
        Assert.Equal(201, (await admin.PostJsonAsync($"/consumers/{_name}/key-auth", new { key = _name + "-key" })).Status);
        Assert.Equal(201, (await admin.PostJsonAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } })).Status);
        foreach (var edge in fixture.Edges)
        {
            // Without a key, key-auth answers: the probe spends no permit.
            using var ready = await edge.Proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.Unauthorized);
        }

        return $"/{_name}?apikey={_name}-key";
    }

    private static HttpClient[] Clients(int connectionsPerEdge, IEnumerable<EdgeNode> edges) =>
        [.. edges.Select(e => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connectionsPerEdge }) { BaseAddress = e.Proxy.BaseAddress, Timeout = TimeSpan.FromSeconds(60) })];

    [Fact]
    public async Task A_thousand_concurrent_requests_over_three_edges_admit_exactly_the_limit_of_100_a_minute()
    {
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(25));
        var path = await LimitedRouteAsync(new { minute = 100 });
        var clients = Clients(100, fixture.Edges);
        var started = Stopwatch.StartNew();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(async i =>
        {
            using var response = await clients[i % 3].GetAsync(path);
            return response.StatusCode;
        }));
        output.WriteLine($"1000 requests in {started.ElapsedMilliseconds} ms: {statuses.Count(s => s == HttpStatusCode.OK)} admitted");

        Assert.Equal(100, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(900, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task A_per_second_limit_holds_in_every_second_and_is_used_in_full_while_demand_exceeds_it()
    {
        const int Limit = 20;
        var path = await LimitedRouteAsync(new { second = Limit });
        var clients = Clients(2, fixture.Edges);
        var admitted = new List<(DateTimeOffset Sent, DateTimeOffset Received)>();
        var until = DateTimeOffset.UtcNow.AddSeconds(5);

        // Two callers per edge, each as fast as it is answered: far more than 20 a second in all, and few enough
        // that a request spends little time queued, so most fall wholly inside one second.
        await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            while (DateTimeOffset.UtcNow < until)
            {
                var sent = DateTimeOffset.UtcNow;
                using var response = await clients[i % 3].GetAsync(path);
                var received = DateTimeOffset.UtcNow;
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    lock (admitted)
                    {
                        admitted.Add((sent, received));
                    }
                }
                else
                {
                    Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                }
            }
        }));

        // A request was admitted somewhere between sending and receiving. Those wholly inside one second were
        // certainly admitted in it: never more than the limit. Those touching a second may have been: at least
        // the limit in every full second of the run (demand was always higher).
        var first = admitted.Min(a => a.Sent).ToUnixTimeSeconds() + 1;
        var last = until.ToUnixTimeSeconds() - 1;
        for (var second = first; second < last; second++)
        {
            var start = DateTimeOffset.FromUnixTimeSeconds(second);
            var end = start.AddSeconds(1);
            var certain = admitted.Count(a => a.Sent >= start && a.Received < end);
            var possible = admitted.Count(a => a.Received >= start && a.Sent < end);
            output.WriteLine($"second {second}: certainly {certain}, possibly {possible}");
            Assert.True(certain <= Limit, $"{certain} admitted in one second, limit {Limit}");
            Assert.True(certain >= Limit / 2, $"only {certain} of the second's requests fell wholly inside it: the check above proves little");
            Assert.True(possible >= Limit, $"only {possible} admitted in a second while demand exceeded {Limit}");
        }
    }

    [Fact]
    public async Task The_local_policy_admits_the_limit_on_each_edge_as_Kongs_does()
    {
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromHours(1));
        var path = await LimitedRouteAsync(new { hour = 5, policy = "local" });
        var admitted = 0;
        foreach (var edge in fixture.Edges)
        {
            for (var i = 0; i < 8; i++)
            {
                using var response = await edge.Proxy.GetAsync(path);
                admitted += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
            }
        }

        Assert.Equal(15, admitted);
    }

    [Fact]
    public async Task Steady_traffic_for_one_consumer_costs_far_fewer_than_one_counter_call_per_request()
    {
        var path = await LimitedRouteAsync(new { second = 1_000_000, hour = 1_000_000_000 });
        var edge = fixture.Edges[1];
        var client = Clients(16, [edge])[0];
        var before = await edge.RateLimitCountersAsync();
        var clock = Stopwatch.StartNew();
        var until = clock.Elapsed + TimeSpan.FromSeconds(4);
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            while (clock.Elapsed < until)
            {
                using var response = await client.GetAsync(path);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }));
        var after = await edge.RateLimitCountersAsync();
        var admitted = after.Admitted - before.Admitted;
        var calls = after.GrainCalls - before.GrainCalls;
        var perRequest = (double)calls / admitted;
        output.WriteLine($"{admitted} admitted at {admitted / clock.Elapsed.TotalSeconds:F0}/s with {calls} counter calls: {perRequest:F4} per request");
        Assert.True(perRequest < 0.05, $"{perRequest:F4} counter calls per admitted request");
    }

    [Fact]
    public async Task Ai_token_limits_hold_across_three_edges_and_come_to_exactly_the_limit()
    {
        // Each chat costs exactly its estimate (15 prompt + max_tokens 10), so the hour's 250 tokens are 10 requests.
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromHours(1));
        await using var fake = await FakeLlmProvider.StartAsync();
        (fake.PromptTokens, fake.CompletionTokens) = (15, 10);
        var (burst, admitted) = await BurstThenSpendTheRestAsync(
            fake, ("ai-rate-limiting", new JsonObject { ["hour"] = 250, ["limit_by"] = "service" }), providerOptions: null, refused: 429);

        output.WriteLine($"{admitted} chats of 25 tokens admitted against 250 per hour; burst admitted {burst}");
        Assert.InRange(burst, 1, 10);
        Assert.Equal(10, admitted);
        Assert.Equal(10, fake.Requests.Count);
    }

    [Fact]
    public async Task Ai_budgets_hold_across_three_edges_and_are_spent_to_the_last_estimate_that_fits()
    {
        // Each chat reserves 0.0035 (15 and 10 tokens at 100 and 200 per million) and costs 0.0025 (11 and 7 tokens).
        // Of 0.035, a call is admitted while 0.0035 is left: after 13 calls (0.0325) 0.0025 is, so exactly 13 are admitted.
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromDays(1));
        await using var fake = await FakeLlmProvider.StartAsync();
        var (burst, admitted) = await BurstThenSpendTheRestAsync(
            fake, ("ai-budget", new JsonObject { ["day"] = 0.035, ["limit_by"] = "service" }), new JsonObject { ["input_cost"] = 100, ["output_cost"] = 200 }, refused: 402);

        output.WriteLine($"{admitted} chats admitted against a budget of 0.035; burst admitted {burst}");
        Assert.InRange(burst, 1, 13);
        Assert.Equal(13, admitted);
        Assert.Equal(13, fake.Requests.Count);
    }

    /// <summary>
    /// An AI route with <paramref name="limiter"/> before ai-proxy on all three edges; a burst of 60 chats over the edges
    /// (each answered 200 or <paramref name="refused"/>), then, once leases and refunds have gone back (lease ≤ 1 s, sweep
    /// every 1 s), one edge spending what is left. Returns the burst's admitted chats and all admitted.
    /// </summary>
    private async Task<(int Burst, int Admitted)> BurstThenSpendTheRestAsync(FakeLlmProvider fake, (string Plugin, JsonObject Config) limiter, JsonObject? providerOptions, int refused)
    {
        var name = "ail-" + Guid.NewGuid().ToString("N")[..8];
        var edges = fixture.Edges;
        await AiRoutes.CreateAsync(edges[0].Admin, edges[0].Proxy, name, limiter, ("ai-proxy", AiRoutes.Config(fake, "openai", options: providerOptions)));
        foreach (var edge in edges)
        {
            using var ready = await edge.Proxy.EventuallyAsync("/" + name, r => r.StatusCode != HttpStatusCode.NotFound);
        }

        var chat = new
        {
            max_tokens = 10,
            messages = new object[] { new { role = "system", content = "You are terse." }, new { role = "user", content = "Say hello." } },
        };
        async Task<int> SendAsync(EdgeNode edge)
        {
            var (status, _, response) = await AiRoutes.PostChatAsync(edge.Proxy, $"/{name}/v1/chat/completions", chat);
            response.Dispose();
            return status;
        }

        var burst = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => SendAsync(edges[i % 3])));
        var admitted = burst.Count(s => s == 200);
        Assert.Equal(60, admitted + burst.Count(s => s == refused));
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var total = admitted;
        while (await SendAsync(edges[0]) == 200)
        {
            total++;
        }

        return (admitted, total);
    }
}
