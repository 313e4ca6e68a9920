using System.Net;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>Metering through a real edge, and the billing API that reads it: usage, export, prices, bad queries.</summary>
[Collection(DevGatewayCollection.Name)]
public sealed class BillingTests(DevGatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _proxy = fixture.Edge.Proxy;
    private readonly string _name = "bill-" + Guid.NewGuid().ToString("N")[..8];

    private static string Range => $"from={DateTimeOffset.UtcNow.AddHours(-1):yyyy-MM-ddTHH:mm:ssZ}&to={DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}";

    /// <summary>A key-auth service; consumer <c>{name}-a</c> sends 5 requests, <c>{name}-b</c> 3, and 2 come without a key (rejected, anonymous).</summary>
    private async Task MeteredTrafficAsync()
    {
        Assert.Equal(201, (await _admin.PostJsonAsync("/services", new { name = _name, url = fixture.Upstream.Url })).Status);
        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/plugins", new { name = "key-auth" })).Status);
        foreach (var who in new[] { "a", "b" })
        {
            Assert.Equal(201, (await _admin.PostJsonAsync("/consumers", new { username = $"{_name}-{who}" })).Status);
            Assert.Equal(201, (await _admin.PostJsonAsync($"/consumers/{_name}-{who}/key-auth", new { key = $"{_name}-{who}-key" })).Status);
        }

        Assert.Equal(201, (await _admin.PostJsonAsync($"/services/{_name}/routes", new { paths = new[] { $"/{_name}" } })).Status);
        using (var ready = await _proxy.EventuallyAsync($"/{_name}?apikey={_name}-a-key", r => r.StatusCode == HttpStatusCode.OK))
        {
        }

        foreach (var (key, count) in new[] { ($"{_name}-a-key", 4), ($"{_name}-b-key", 3), ("", 2) })
        {
            for (var i = 0; i < count; i++)
            {
                using var response = await _proxy.GetAsync(key.Length == 0 ? $"/{_name}" : $"/{_name}?apikey={key}");
                Assert.Equal(key.Length == 0 ? HttpStatusCode.Unauthorized : HttpStatusCode.OK, response.StatusCode);
            }
        }
    }

    /// <summary>The usage of this test's service once the edge has flushed all ten requests.</summary>
    private async Task<JsonObject> SettledUsageAsync(string extra = "")
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var (status, body) = await _admin.GetJsonAsync($"/billing/usage?service={_name}&{Range}{extra}");
            Assert.Equal(200, status);
            if (body!["total"]!["requests"]!.GetValue<long>() >= 10 || DateTime.UtcNow > deadline)
            {
                return body.AsObject();
            }

            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Every_request_is_metered_per_consumer_with_rejected_ones_in_the_anonymous_bucket()
    {
        await MeteredTrafficAsync();
        var usage = await SettledUsageAsync();
        Assert.Equal(10, usage["total"]!["requests"]!.GetValue<long>());
        var rows = usage["data"]!.AsArray().Select(r => r!.AsObject()).ToList();
        JsonObject RowOf(string? username) => rows.Single(r => r["consumer"]?["username"]?.GetValue<string>() == username);

        Assert.Equal(5, RowOf($"{_name}-a")["requests"]!.GetValue<long>());
        Assert.Equal(5, RowOf($"{_name}-a")["status_2xx"]!.GetValue<long>());
        Assert.Equal(3, RowOf($"{_name}-b")["requests"]!.GetValue<long>());
        var anonymous = rows.Single(r => r["consumer"] is null);
        Assert.Equal((2, 2, 2), (anonymous["requests"]!.GetValue<long>(), anonymous["rejected"]!.GetValue<long>(), anonymous["status_4xx"]!.GetValue<long>()));
        Assert.True(RowOf($"{_name}-a")["bytes_out"]!.GetValue<long>() > 0);
        Assert.Equal(_name, RowOf($"{_name}-a")["service"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_csv_export_has_stable_columns_one_row_per_consumer_and_service_and_prices_give_an_amount()
    {
        await MeteredTrafficAsync();
        await SettledUsageAsync();
        var (priced, price) = await _admin.SendJsonAsync(HttpMethod.Put, $"/billing/prices/{_name}-a", new { per_1000_requests = 2000, per_counter = new { status_2xx = 0.5 }, currency = "EUR" });
        Assert.Equal(200, priced);
        Assert.Equal("EUR", price!["currency"]!.GetValue<string>());

        using var export = await _admin.GetAsync($"/billing/export?format=csv&service={_name}&{Range}");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.StartsWith("text/csv", export.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var text = await export.Content.ReadAsStringAsync();
        Assert.Contains("\r\n", text, StringComparison.Ordinal);
        var records = Csv.Parse(text);
        Assert.Equal(
            "period_start,period_end,consumer_id,consumer_username,service_id,service_name,requests,rejected,status_1xx,status_2xx,status_3xx,status_4xx,status_5xx,bytes_in,bytes_out,upstream_latency_ms_sum,counters,amount,currency",
            string.Join(',', records[0]));
        var rows = records.Skip(1).Select(r => records[0].Zip(r).ToDictionary(p => p.First, p => p.Second)).ToList();
        Assert.Equal(3, rows.Count);
        var a = rows.Single(r => r["consumer_username"] == $"{_name}-a");
        Assert.Equal(("5", "12.5", "EUR"), (a["requests"], a["amount"], a["currency"])); // 5 × 2 + 5 × 0.5
        Assert.Equal("", rows.Single(r => r["consumer_username"] == $"{_name}-b")["amount"]);
        Assert.Equal("{}", a["counters"]);

        Assert.Equal(204, (await _admin.SendJsonAsync(HttpMethod.Delete, $"/billing/prices/{_name}-a")).Status);
    }

    [Fact]
    public async Task The_jsonl_export_and_daily_usage_carry_the_same_counts()
    {
        await MeteredTrafficAsync();
        await SettledUsageAsync();
        using var export = await _admin.GetAsync($"/billing/export?format=jsonl&service={_name}&granularity=day&{Range}");
        var lines = (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(10, lines.Sum(l => l["requests"]!.GetValue<long>()));
        Assert.All(lines, l => Assert.EndsWith("T00:00:00Z", l["period_start"]!.GetValue<string>(), StringComparison.Ordinal));

        var monthly = await SettledUsageAsync("&granularity=month");
        Assert.Equal(10, monthly["total"]!["requests"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("to=2026-11-25T00:00:00Z", "from: required (an ISO 8601 time such as 2026-11-25T00:00:00Z, or unix seconds)")]
    [InlineData("from=yesterday&to=2026-11-25T00:00:00Z", "from: 'yesterday' is neither an ISO 8601 time nor unix seconds")]
    [InlineData("from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z", "to: must be later than from")]
    [InlineData("from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to: a report covers at most 366 days")]
    [InlineData("from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=week", "granularity: expected one of: hour, day, month (got 'week')")]
    [InlineData("from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&format=xml", "format: expected one of: csv, jsonl (got 'xml')")]
    [InlineData("from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&consumer=nobody-at-all", "consumer: no consumer with id or username 'nobody-at-all'")]
    public async Task Bad_billing_queries_get_400_with_a_message_naming_the_parameter(string query, string message)
    {
        var (status, body) = await _admin.GetJsonAsync("/billing/export?" + query);
        Assert.Equal(400, status);
        Assert.Equal(message, body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_bad_price_gets_400_and_an_unknown_consumer_404()
    {
        var (created, consumer) = await _admin.PostJsonAsync("/consumers", new { username = _name });
        Assert.Equal(201, created);
        var (status, body) = await _admin.SendJsonAsync(HttpMethod.Put, $"/billing/prices/{_name}", new { per_1000_requests = -1, currency = "euro", colour = "red" });
        Assert.Equal(400, status);
        Assert.Equal("expected a number, 0 or more", body!["fields"]!["per_1000_requests"]!.GetValue<string>());
        Assert.Equal("expected an ISO 4217 code such as USD", body["fields"]!["currency"]!.GetValue<string>());
        Assert.Equal("unknown field", body["fields"]!["colour"]!.GetValue<string>());
        Assert.Equal(404, (await _admin.SendJsonAsync(HttpMethod.Put, "/billing/prices/nobody-" + _name, new { per_1000_requests = 1 })).Status);
        var (_, prices) = await _admin.GetJsonAsync("/billing/prices");
        Assert.DoesNotContain(prices!["data"]!.AsArray(), p => p!["consumer"]?["id"]?.GetValue<string>() == consumer!["id"]!.GetValue<string>());
    }
}
