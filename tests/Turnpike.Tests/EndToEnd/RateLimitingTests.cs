using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>rate-limiting through a real edge: what is admitted, Kong's headers and 429, configuration errors.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class RateLimitingTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "rl-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>
    /// A service with key-auth and the given rate-limiting config, consumers <c>{name}-a</c> and <c>{name}-b</c>
    /// (keys <c>{name}-a-key</c>, <c>{name}-b-key</c>). The readiness probe carries no key, so key-auth answers it
    /// and it spends no permit.
    /// </summary>
    private async Task<string> LimitedRouteAsync(object config)
    {
        Assert.Equal(201, (await _admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url })).Status);
        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "key-auth" })).Status);
        var (status, body) = await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "rate-limiting", config });
        Assert.True(status == 201, body?.ToJsonString());
        foreach (var who in new[] { "a", "b" })
        {
            Assert.Equal(201, (await _admin.PostJsonAsync("/consumers", new { username = $"{_name}-{who}" })).Status);
            Assert.Equal(201, (await _admin.PostJsonAsync($"/consumers/{_name}-{who}/key-auth", new { key = $"{_name}-{who}-key" })).Status);
        }

        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/routes", new { name = _name, paths = new[] { $"/{_name}" } })).Status);
        using var ready = await _proxy.EventuallyAsync($"/{_name}", r => r.StatusCode == HttpStatusCode.Unauthorized);
        return $"/{_name}";
    }

    private async Task<HttpResponseMessage> AsAsync(string who, string path) =>
        await _proxy.GetAsync($"{path}?apikey={_name}-{who}-key");

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    [Fact]
    public async Task Rate_limiting_admits_the_limit_per_consumer_then_answers_429_with_Kongs_headers_and_body()
    {
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromHours(1));
        var path = await LimitedRouteAsync(new { hour = 3 });
        for (var remaining = 2; remaining >= 0; remaining--)
        {
            using var admitted = await AsAsync("a", path);
            Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
            Assert.Equal("3", Header(admitted, "X-RateLimit-Limit-Hour"));
            Assert.Equal(remaining.ToString(), Header(admitted, "X-RateLimit-Remaining-Hour"));
            Assert.Equal("3", Header(admitted, "RateLimit-Limit"));
            Assert.Equal(remaining.ToString(), Header(admitted, "RateLimit-Remaining"));
            Assert.InRange(int.Parse(Header(admitted, "RateLimit-Reset")), 1, 3600);
        }

        using var rejected = await AsAsync("a", path);
        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.Equal("API rate limit exceeded", (await rejected.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
        Assert.Equal("0", Header(rejected, "X-RateLimit-Remaining-Hour"));
        Assert.InRange(rejected.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 3600);

        // The limit is per consumer: the other one still has its own.
        using var other = await AsAsync("b", path);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal("2", Header(other, "X-RateLimit-Remaining-Hour"));
    }

    [Fact]
    public async Task Hide_client_headers_drops_the_counts_and_error_code_and_message_shape_the_rejection()
    {
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromHours(1));
        var path = await LimitedRouteAsync(new { hour = 1, hide_client_headers = true, error_code = 418, error_message = "slow down" });
        using var admitted = await AsAsync("a", path);
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        Assert.DoesNotContain(admitted.Headers, h => h.Key.Contains("RateLimit", StringComparison.OrdinalIgnoreCase));

        using var rejected = await AsAsync("a", path);
        Assert.Equal((HttpStatusCode)418, rejected.StatusCode);
        Assert.Equal("slow down", (await rejected.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
        Assert.NotNull(rejected.Headers.RetryAfter);
        Assert.DoesNotContain(rejected.Headers, h => h.Key.Contains("RateLimit", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_second_and_an_hour_limit_together_reject_by_whichever_is_spent_and_say_which_in_retry_after()
    {
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromHours(1));
        var path = await LimitedRouteAsync(new { second = 1, hour = 3 });
        var admitted = 0;
        var admittedBeforeFirstRejection = 0;
        HttpResponseMessage? firstRejection = null;
        HttpResponseMessage? lastRejection = null;
        var until = DateTime.UtcNow.AddSeconds(4.5);
        while (DateTime.UtcNow < until)
        {
            var response = await AsAsync("a", path);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                admitted++;
                response.Dispose();
            }
            else
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                admittedBeforeFirstRejection = firstRejection is null ? admitted : admittedBeforeFirstRejection;
                firstRejection ??= response;
                if (lastRejection != firstRejection)
                {
                    lastRejection?.Dispose();
                }

                lastRejection = response;
            }

            await Task.Delay(50);
        }

        // At most one a second, three an hour: over 4.5 s exactly three get through.
        Assert.Equal(3, admitted);
        Assert.Equal("0", Header(firstRejection!, "X-RateLimit-Remaining-Second"));
        Assert.Equal((3 - admittedBeforeFirstRejection).ToString(), Header(firstRejection!, "X-RateLimit-Remaining-Hour"));
        // RateLimit-* speak for the tightest window: the second, spent while the hour still had some.
        Assert.Equal("1", Header(firstRejection!, "RateLimit-Limit"));
        Assert.Equal("0", Header(firstRejection!, "RateLimit-Remaining"));
        Assert.Equal(TimeSpan.FromSeconds(1), firstRejection!.Headers.RetryAfter!.Delta);
        Assert.Equal("0", Header(lastRejection!, "X-RateLimit-Remaining-Hour"));
        Assert.True(lastRejection!.Headers.RetryAfter!.Delta > TimeSpan.FromSeconds(1), "once the hour is spent, Retry-After names the hour's reset");
    }

    [Fact]
    public async Task A_consumer_scoped_instance_overrides_the_services_limit_for_that_consumer_only()
    {
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromHours(1));
        var path = await LimitedRouteAsync(new { hour = 2 });
        var (status, body) = await _admin.PostJsonAsync("/plugins", new
        {
            name = "rate-limiting",
            service = new { name = _name },
            consumer = new { name = $"{_name}-a" },
            config = new { hour = 4 },
        });
        Assert.True(status == 201, body?.ToJsonString());
        using (var applied = await _proxy.EventuallyAsync($"{path}?apikey={_name}-a-key", r => Header(r, "X-RateLimit-Limit-Hour") == "4"))
        {
        }

        async Task<int> AdmittedAsync(string who)
        {
            var count = 0;
            for (var i = 0; i < 8; i++)
            {
                using var response = await AsAsync(who, path);
                count += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
            }

            return count;
        }

        Assert.Equal(3, await AdmittedAsync("a")); // 4 an hour, one spent by the wait above
        Assert.Equal(2, await AdmittedAsync("b"));
    }

    [Fact]
    public async Task Limit_by_header_counts_each_header_value_and_falls_back_to_the_client_address()
    {
        await RateWindows.AwayFromTheEndOfAsync(TimeSpan.FromHours(1));
        Assert.Equal(201, (await _admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url })).Status);
        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "rate-limiting", config = new { hour = 2, limit_by = "header", header_name = "X-Tenant" } })).Status);
        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } })).Status);
        using (var ready = await _proxy.EventuallyAsync($"/{_name}", r => r.StatusCode != HttpStatusCode.NotFound))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode); // no header: counted by client address, first of two
        }

        async Task<HttpStatusCode> SendAsync(string? tenant)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/{_name}");
            if (tenant is not null)
            {
                request.Headers.Add("X-Tenant", tenant);
            }

            using var response = await _proxy.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], [await SendAsync("t1"), await SendAsync("t1"), await SendAsync("t1")]);
        Assert.Equal(HttpStatusCode.OK, await SendAsync("t2"));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests], [await SendAsync(null), await SendAsync(null)]);
    }

    [Fact]
    public async Task Rate_limiting_config_errors_get_400_and_store_nothing()
    {
        async Task<string> ErrorsOfAsync(object config)
        {
            var (status, body) = await _admin.PostJsonAsync("/plugins", new { name = "rate-limiting", instance_name = _name, config });
            Assert.Equal(400, status);
            return body!["fields"]!["config"]!.ToJsonString();
        }

        Assert.Contains("at least one of these fields must be non-empty", await ErrorsOfAsync(new { }), StringComparison.Ordinal);
        Assert.Contains("The limit for minute(5.0) cannot be lower than the limit for second(10.0)", await ErrorsOfAsync(new { second = 10, minute = 5 }), StringComparison.Ordinal);
        Assert.Contains("\"header_name\":\"required field missing\"", await ErrorsOfAsync(new { minute = 5, limit_by = "header" }), StringComparison.Ordinal);
        Assert.Contains("\"policy\":\"expected one of: cluster, local, global\"", await ErrorsOfAsync(new { minute = 5, policy = "redis" }), StringComparison.Ordinal);
        Assert.Contains("\"limit_by\":\"expected one of", await ErrorsOfAsync(new { minute = 5, limit_by = "planet" }), StringComparison.Ordinal);
        Assert.Contains("\"minute\":\"value must be greater than 0\"", await ErrorsOfAsync(new { minute = 0 }), StringComparison.Ordinal);
        Assert.Equal(404, (await _admin.GetJsonAsync($"/plugins/{_name}")).Status);
    }
}
