using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>Upstreams and targets through a real edge: weighted balancing, retries past a dead target, and the admin API's checks.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class UpstreamTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "up-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>An upstream with the given targets (target, weight), a service on it and a route; returns the route's path once served.</summary>
    private Task<string> BalancedRouteAsync(params (string Target, int Weight)[] targets) => BalancedRouteAsync(new { name = _name }, targets);

    private async Task<string> BalancedRouteAsync(object upstream, params (string Target, int Weight)[] targets)
    {
        var (created, createdBody) = await _admin.PostJsonAsync("/upstreams", upstream);
        Assert.True(created == 201, createdBody?.ToJsonString());
        foreach (var (target, weight) in targets)
        {
            var (status, body) = await _admin.PostJsonAsync($"/upstreams/{_name}/targets", new { target, weight });
            Assert.True(status == 201, body?.ToJsonString());
        }

        Assert.Equal(201, (await _admin.PostJsonAsync("/services", new { name = _name, host = _name, port = 80, protocol = "http" })).Status);
        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } })).Status);
        using var ready = await _proxy.EventuallyAsync($"/{_name}", r => r.StatusCode != HttpStatusCode.NotFound);
        return $"/{_name}";
    }

    [Fact]
    public async Task Requests_are_spread_over_targets_by_weight()
    {
        await using var second = await UpstreamServer.StartAsync();
        var first = fixture.Upstream;
        var path = await BalancedRouteAsync(($"127.0.0.1:{first.Port}", 300), ($"127.0.0.1:{second.Port}", 100));
        var counts = new Dictionary<string, int>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var i = 0; i < 1250; i++)
            {
                var echo = await _proxy.GetFromJsonAsync<JsonObject>(path);
                var host = echo!["host"]!.GetValue<string>();
                lock (counts)
                {
                    counts[host] = counts.GetValueOrDefault(host) + 1;
                }
            }
        }));

        var share = counts.GetValueOrDefault($"127.0.0.1:{first.Port}") / 10_000.0;
        Assert.Equal(10_000, counts.Values.Sum());
        Assert.InRange(share, 0.75 * 0.95, 0.75 * 1.05);
    }

    [Fact]
    public async Task Consistent_hashing_keeps_each_key_on_its_target_and_a_new_target_takes_only_its_share()
    {
        await using var second = await UpstreamServer.StartAsync();
        await using var third = await UpstreamServer.StartAsync();
        var path = await BalancedRouteAsync(
            new { name = _name, algorithm = "consistent-hashing", hash_on = "header", hash_on_header = "X-User" },
            ($"127.0.0.1:{fixture.Upstream.Port}", 100), ($"127.0.0.1:{second.Port}", 100));
        var users = Enumerable.Range(0, 300).Select(i => $"user-{i}").ToList();

        async Task<string> TargetOfAsync(string user)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("X-User", user);
            using var response = await _proxy.SendAsync(request);
            return (await response.Content.ReadFromJsonAsync<JsonObject>())!["host"]!.GetValue<string>();
        }

        var before = new Dictionary<string, string>();
        foreach (var user in users)
        {
            before[user] = await TargetOfAsync(user);
            Assert.Equal(before[user], await TargetOfAsync(user)); // the same key, the same target
        }

        Assert.Equal(2, before.Values.Distinct().Count());
        var added = $"127.0.0.1:{third.Port}";
        Assert.Equal(201, (await _admin.PostJsonAsync($"/upstreams/{_name}/targets", new { target = added })).Status);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await TargetOfAsync(users[0]) != added && !(await Task.WhenAll(users.Take(20).Select(TargetOfAsync))).Contains(added))
        {
            Assert.True(DateTime.UtcNow < deadline, "the new target never took traffic");
        }

        var moved = 0;
        foreach (var user in users)
        {
            var now = await TargetOfAsync(user);
            if (now != before[user])
            {
                Assert.Equal(added, now); // keys only move to the new target
                moved++;
            }
        }

        Assert.InRange(moved / (double)users.Count, 0.15, 0.5); // about a third
    }

    [Fact]
    public async Task Cookie_hashing_gives_a_new_client_a_cookie_that_keeps_it_on_one_target()
    {
        await using var second = await UpstreamServer.StartAsync();
        var path = await BalancedRouteAsync(
            new { name = _name, algorithm = "consistent-hashing", hash_on = "cookie", hash_on_cookie = "sticky", hash_on_cookie_path = "/" },
            ($"127.0.0.1:{fixture.Upstream.Port}", 100), ($"127.0.0.1:{second.Port}", 100));
        var targetsSeen = new HashSet<string>();
        using var browser = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = _proxy.BaseAddress }; // each request as a new client
        for (var client = 0; client < 20; client++)
        {
            using var first = await browser.GetAsync(path);
            var cookie = first.Headers.GetValues("Set-Cookie").Single();
            Assert.Matches("^sticky=[0-9a-f]{32}; Path=/$", cookie);
            var target = (await first.Content.ReadFromJsonAsync<JsonObject>())!["host"]!.GetValue<string>();
            targetsSeen.Add(target);
            for (var i = 0; i < 5; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Add("Cookie", cookie.Split(';')[0]);
                using var again = await browser.SendAsync(request);
                Assert.False(again.Headers.Contains("Set-Cookie"));
                Assert.Equal(target, (await again.Content.ReadFromJsonAsync<JsonObject>())!["host"]!.GetValue<string>());
            }
        }

        Assert.Equal(2, targetsSeen.Count); // twenty clients are not all on one target
    }

    [Theory]
    [InlineData("least-connections")]
    [InlineData("latency")]
    public async Task Least_connections_and_latency_send_most_traffic_to_the_faster_target(string algorithm)
    {
        await using var slow = await UpstreamServer.StartAsync();
        slow.DelayMs = 100;
        var path = await BalancedRouteAsync(new { name = _name, algorithm }, ($"127.0.0.1:{fixture.Upstream.Port}", 100), ($"127.0.0.1:{slow.Port}", 100));
        var counts = new Dictionary<string, int>();
        var until = DateTime.UtcNow.AddSeconds(2);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (DateTime.UtcNow < until)
            {
                var echo = await _proxy.GetFromJsonAsync<JsonObject>(path);
                var host = echo!["host"]!.GetValue<string>();
                lock (counts)
                {
                    counts[host] = counts.GetValueOrDefault(host) + 1;
                }
            }
        }));

        // Round-robin would split evenly; the slow target (100 ms an answer) should see a small share.
        var slowShare = counts.GetValueOrDefault($"127.0.0.1:{slow.Port}") / (double)counts.Values.Sum();
        Assert.True(slowShare < 0.2, $"the slow target got {slowShare:P0} of {counts.Values.Sum()} requests");
        Assert.True(counts.GetValueOrDefault($"127.0.0.1:{slow.Port}") > 0, "the slow target got nothing at all");
    }

    [Fact]
    public async Task A_request_that_cannot_reach_a_target_is_sent_to_another_one()
    {
        var dead = FreePorts.Next(); // nothing listens here: connections are refused
        var path = await BalancedRouteAsync(($"127.0.0.1:{fixture.Upstream.Port}", 100), ($"127.0.0.1:{dead}", 100));
        for (var i = 0; i < 100; i++)
        {
            using var response = await _proxy.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Active_checks_take_a_dead_target_out_within_the_interval_and_back_in_when_it_returns()
    {
        var second = await UpstreamServer.StartAsync();
        var secondPort = second.Port;
        var path = await BalancedRouteAsync(
            new
            {
                name = _name,
                healthchecks = new
                {
                    active = new
                    {
                        http_path = "/health-probe",
                        timeout = 1,
                        healthy = new { interval = 0.5, successes = 1 },
                        unhealthy = new { interval = 0.5, tcp_failures = 1, http_failures = 1 },
                    },
                },
            },
            ($"127.0.0.1:{fixture.Upstream.Port}", 100), ($"127.0.0.1:{secondPort}", 100));

        async Task<Dictionary<string, string>> HealthAsync()
        {
            var (_, body) = await _admin.GetJsonAsync($"/upstreams/{_name}/health");
            return body!["data"]!.AsArray().ToDictionary(t => t!["target"]!.GetValue<string>(), t => t!["health"]!.GetValue<string>());
        }

        async Task<HashSet<string>> AnsweringAsync(int requests)
        {
            var hosts = new HashSet<string>();
            for (var i = 0; i < requests; i++)
            {
                using var response = await _proxy.GetAsync(path);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode); // the client never sees the dead target
                hosts.Add((await response.Content.ReadFromJsonAsync<JsonObject>())!["host"]!.GetValue<string>());
            }

            return hosts;
        }

        Task WaitForHealthAsync(string target, string health, TimeSpan within) =>
            Poll.UntilAsync(async () => (await HealthAsync())[target] == health, within, $"{target} {health}");

        var dead = $"127.0.0.1:{secondPort}";
        Assert.Equal(2, (await AnsweringAsync(20)).Count);
        Assert.Equal("HEALTHY", (await HealthAsync())[dead]);

        await second.DisposeAsync();
        Assert.Single(await AnsweringAsync(20)); // retried past it while it is found out
        await WaitForHealthAsync(dead, "UNHEALTHY", TimeSpan.FromSeconds(3)); // interval 0.5 s, one failure

        await using var back = await UpstreamServer.StartAsync(secondPort);
        await WaitForHealthAsync(dead, "HEALTHY", TimeSpan.FromSeconds(3));
        Assert.Equal(2, (await AnsweringAsync(20)).Count);
    }

    [Fact]
    public async Task Passive_checks_stop_sending_to_a_target_that_failed_live_traffic()
    {
        var deadPort = FreePorts.Next();
        var path = await BalancedRouteAsync(
            new { name = _name, healthchecks = new { passive = new { unhealthy = new { tcp_failures = 2 } } } },
            ($"127.0.0.1:{fixture.Upstream.Port}", 100), ($"127.0.0.1:{deadPort}", 100));
        for (var i = 0; i < 20; i++)
        {
            using var response = await _proxy.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var (_, health) = await _admin.GetJsonAsync($"/upstreams/{_name}/health");
        var dead = health!["data"]!.AsArray().Single(t => t!["target"]!.GetValue<string>() == $"127.0.0.1:{deadPort}")!;
        Assert.Equal("UNHEALTHY", dead["health"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_upstream_without_a_target_taking_traffic_answers_503()
    {
        var path = await BalancedRouteAsync(($"127.0.0.1:{fixture.Upstream.Port}", 0));
        using var response = await _proxy.GetAsync(path);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("failure to get a peer from the ring-balancer", (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_upstreams_host_header_is_the_host_its_targets_see_unless_the_route_preserves_the_clients()
    {
        var port = fixture.Upstream.Port;
        var path = await BalancedRouteAsync(new { name = _name, host_header = "orders.example" }, ($"127.0.0.1:{port}", 100));
        Assert.Equal($"orders.example:{port}", (await _proxy.GetFromJsonAsync<JsonObject>(path))!["host"]!.GetValue<string>());
        Assert.Equal("orders.example", (await _admin.GetJsonAsync($"/upstreams/{_name}")).Body!["host_header"]!.GetValue<string>());

        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}-preserved" }, preserve_host = true })).Status);
        using var ready = await _proxy.EventuallyAsync($"/{_name}-preserved", r => r.StatusCode != HttpStatusCode.NotFound);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{_name}-preserved");
        request.Headers.Host = "client.example";
        using var response = await _proxy.SendAsync(request);
        Assert.Equal("client.example", (await response.Content.ReadFromJsonAsync<JsonObject>())!["host"]!.GetValue<string>());
    }

    [Fact]
    public async Task Active_probes_send_the_upstreams_host_header()
    {
        await using var target = await UpstreamServer.StartAsync();
        var probe = $"/probe-{_name}";
        await BalancedRouteAsync(
            new { name = _name, host_header = "probed.example", healthchecks = new { active = new { http_path = probe, healthy = new { interval = 0.2 } } } },
            ($"127.0.0.1:{target.Port}", 100));
        await Poll.UntilAsync(() => Task.FromResult(target.LastHostFor(probe) is not null), TimeSpan.FromSeconds(5), "an active probe");
        Assert.Equal($"probed.example:{target.Port}", target.LastHostFor(probe));
    }

    [Fact]
    public async Task Upstream_and_target_mistakes_get_400_or_409_and_targets_go_with_their_upstream()
    {
        Assert.Equal(201, (await _admin.PostJsonAsync("/upstreams", new { name = _name })).Status);
        var (checks, checksBody) = await _admin.PostJsonAsync("/upstreams", new { name = _name + "-4", healthchecks = new { active = new { type = "tcp", healthy = new { interval = -1 } } } });
        Assert.Equal(400, checks);
        Assert.Equal("not supported yet: only http", checksBody!["fields"]!["healthchecks"]!["active"]!["type"]!.GetValue<string>());
        Assert.Equal("value should be between 0 and 65535", checksBody["fields"]!["healthchecks"]!["active"]!["healthy"]!["interval"]!.GetValue<string>());
        var (algorithm, algorithmBody) = await _admin.PostJsonAsync("/upstreams", new { name = _name + "-2", algorithm = "fastest" });
        Assert.Equal(400, algorithm);
        Assert.Equal("expected one of: round-robin, consistent-hashing, least-connections, latency", algorithmBody!["fields"]!["algorithm"]!.GetValue<string>());
        var (header, headerBody) = await _admin.PostJsonAsync("/upstreams", new { name = _name + "-3", algorithm = "consistent-hashing", hash_on = "header" });
        Assert.Equal(400, header);
        Assert.Equal("required field missing", headerBody!["fields"]!["hash_on_header"]!.GetValue<string>());
        var (hostHeader, hostHeaderBody) = await _admin.PostJsonAsync("/upstreams", new { name = _name + "-5", host_header = "not a host" });
        Assert.Equal(400, hostHeader);
        Assert.Equal("invalid hostname: not a host", hostHeaderBody!["fields"]!["host_header"]!.GetValue<string>());
        Assert.Equal(404, (await _admin.GetJsonAsync($"/upstreams/{_name}-5")).Status);

        var (created, target) = await _admin.PostJsonAsync($"/upstreams/{_name}/targets", new { target = "10.0.0.1" });
        Assert.Equal(201, created);
        Assert.Equal(("10.0.0.1:8000", 100), (target!["target"]!.GetValue<string>(), target["weight"]!.GetValue<int>()));
        Assert.Equal(409, (await _admin.PostJsonAsync($"/upstreams/{_name}/targets", new { target = "10.0.0.1:8000" })).Status);
        var (bad, badBody) = await _admin.PostJsonAsync($"/upstreams/{_name}/targets", new { target = "10.0.0.1:99999", weight = 70000 });
        Assert.Equal(400, bad);
        Assert.Equal("Invalid target; not a valid hostname or ip address", badBody!["fields"]!["target"]!.GetValue<string>());
        Assert.NotNull(badBody["fields"]!["weight"]);

        Assert.Equal(200, (await _admin.GetJsonAsync($"/upstreams/{_name}/targets/10.0.0.1:8000")).Status);
        Assert.Equal(204, (await _admin.SendJsonAsync(HttpMethod.Delete, $"/upstreams/{_name}")).Status);
        Assert.Equal(404, (await _admin.GetJsonAsync($"/upstreams/{_name}")).Status);
        var (_, all) = await _admin.GetJsonAsync("/upstreams");
        Assert.DoesNotContain(all!["data"]!.AsArray(), u => u!["name"]!.GetValue<string>() == _name);
    }
}
