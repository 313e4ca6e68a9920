using System.Net;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Observability;

/// <summary>
/// The prometheus plugin through the proxy pipeline, in process: Kong's metric names and labels, its config switches,
/// per_consumer, and the cap on label sets; read back as a scrape reads them.
/// </summary>
public sealed class PrometheusPluginTests : IAsyncLifetime
{
    private readonly Guid _serviceId = Guid.NewGuid();
    private readonly Guid _routeId = Guid.NewGuid();
    private UpstreamServer _upstream = null!;
    private InProcessProxy _proxy = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _upstream = await UpstreamServer.StartAsync();
        _proxy = await InProcessProxy.StartAsync(maxSeries: 3);
        _client = new HttpClient { BaseAddress = new Uri(_proxy.Url), DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _proxy.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private ServiceEntity Service => new() { Id = _serviceId, Name = "echo", Host = "127.0.0.1", Port = _upstream.Port, Retries = 0 };

    private RouteEntity Route => new() { Id = _routeId, Name = "echo-route", Paths = ["/echo"], ServiceId = _serviceId };

    private async Task SendAsync(string path, int times, string? key = null)
    {
        for (var i = 0; i < times; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = new StringContent("twelve bytes"),
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            if (key is not null)
            {
                request.Headers.Add("apikey", key);
            }

            using var response = await _client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode != HttpStatusCode.BadRequest, $"{response.StatusCode}: {body} / {string.Join(" | ", _proxy.Log)}");
        }

        await _proxy.LoggedAsync(times);
    }

    private double Value(string scrape, string series)
    {
        var line = scrape.Split('\n').SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        Assert.True(line is not null, $"no {series} in:\n{scrape}\nlog: {string.Join(" | ", _proxy.Log)}");
        return line is null ? double.NaN : double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Status_codes_latencies_and_bandwidth_are_counted_under_Kongs_names_and_labels()
    {
        _proxy.Upsert(Service, Route, _proxy.Plugin("prometheus", new { status_code_metrics = true, latency_metrics = true, bandwidth_metrics = true }));
        await SendAsync("/echo", 3);

        var scrape = await _proxy.ScrapeAsync();
        Assert.Equal(3, Value(scrape, """kong_http_requests_total{service="echo",route="echo-route",code="200",source="service",workspace="default",consumer=""}"""));
        Assert.Equal(3, Value(scrape, """kong_request_latency_ms_count{service="echo",route="echo-route",workspace="default"}"""));
        Assert.Equal(3, Value(scrape, """kong_upstream_latency_ms_count{service="echo",route="echo-route",workspace="default"}"""));
        Assert.Equal(3, Value(scrape, """kong_kong_latency_ms_count{service="echo",route="echo-route",workspace="default"}"""));
        Assert.Equal(36, Value(scrape, """kong_bandwidth_bytes{service="echo",route="echo-route",direction="ingress",workspace="default",consumer=""}"""));
        Assert.True(Value(scrape, """kong_bandwidth_bytes{service="echo",route="echo-route",direction="egress",workspace="default",consumer=""}""") > 36);

        // Kong's buckets: 1, 2, 5 ... 6000 ms for the gateway's own latency; 25 ... 60000 ms for the upstream's.
        Assert.Contains("""kong_kong_latency_ms_bucket{service="echo",route="echo-route",workspace="default",le="6000"}""", scrape, StringComparison.Ordinal);
        Assert.Contains("""kong_upstream_latency_ms_bucket{service="echo",route="echo-route",workspace="default",le="60000"}""", scrape, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plugins_answer_counts_with_source_kong()
    {
        _proxy.Upsert(Service, Route, _proxy.Plugin("prometheus", new { status_code_metrics = true }), _proxy.Plugin("request-termination", new { status_code = 503 }, routeId: _routeId));
        await SendAsync("/echo", 2);

        var scrape = await _proxy.ScrapeAsync();
        Assert.Equal(2, Value(scrape, """kong_http_requests_total{service="echo",route="echo-route",code="503",source="kong",workspace="default",consumer=""}"""));
    }

    [Fact]
    public async Task The_routers_answers_reach_a_global_prometheus_counted_with_the_service_they_matched_and_not_without_one()
    {
        // Kong's exporter records nothing for a request without a service (the 404 no route), and counts a 426 (its
        // route and service are known) with source kong: the router's answers go through the log phase like any other.
        var httpsOnly = new RouteEntity { Id = Guid.NewGuid(), Name = "https-only", Paths = ["/secure"], Protocols = ["https"], ServiceId = _serviceId };
        _proxy.Upsert(Service, Route, httpsOnly, _proxy.Plugin("prometheus", new { status_code_metrics = true }));
        using (var noRoute = await _client.GetAsync("/nowhere"))
        {
            Assert.Equal(HttpStatusCode.NotFound, noRoute.StatusCode);
        }

        using (var plain = await _client.GetAsync("/secure"))
        {
            Assert.Equal(HttpStatusCode.UpgradeRequired, plain.StatusCode);
        }

        await _proxy.LoggedAsync(2);
        var scrape = await _proxy.ScrapeAsync();
        Assert.Equal(1, Value(scrape, """kong_http_requests_total{service="echo",route="https-only",code="426",source="kong",workspace="default",consumer=""}"""));
        Assert.DoesNotContain("code=\"404\"", scrape, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_every_switch_off_as_Kongs_defaults_nothing_is_recorded_per_request()
    {
        _proxy.Upsert(Service, Route, _proxy.Plugin("prometheus"));
        await SendAsync("/echo", 2);

        var scrape = await _proxy.ScrapeAsync();
        Assert.DoesNotContain("kong_http_requests_total{", scrape, StringComparison.Ordinal);
        Assert.DoesNotContain("kong_request_latency_ms_count{", scrape, StringComparison.Ordinal);
        Assert.DoesNotContain("kong_bandwidth_bytes{", scrape, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consumers_are_labelled_only_with_per_consumer()
    {
        var alice = new ConsumerEntity { Id = Guid.NewGuid(), Username = "alice" };
        var key = new KeyAuthCredentialEntity { Id = Guid.NewGuid(), ConsumerId = alice.Id, Key = "alice-key" };
        var perConsumer = new RouteEntity { Id = Guid.NewGuid(), Name = "per-consumer", Paths = ["/per"], ServiceId = _serviceId };
        _proxy.Upsert(
            alice, key, Service, Route, perConsumer,
            _proxy.Plugin("key-auth"),
            _proxy.Plugin("prometheus", new { status_code_metrics = true }, routeId: _routeId),
            _proxy.Plugin("prometheus", new { status_code_metrics = true, per_consumer = true }, routeId: perConsumer.Id));
        await SendAsync("/echo", 1, "alice-key");
        await SendAsync("/per", 2, "alice-key");

        var scrape = await _proxy.ScrapeAsync();
        Assert.Equal(1, Value(scrape, """kong_http_requests_total{service="echo",route="echo-route",code="200",source="service",workspace="default",consumer=""}"""));
        Assert.Equal(2, Value(scrape, """kong_http_requests_total{service="echo",route="per-consumer",code="200",source="service",workspace="default",consumer="alice"}"""));
        Assert.DoesNotContain("consumer=\"alice\"", scrape.Split('\n').Where(l => l.Contains("echo-route", StringComparison.Ordinal)).Aggregate("", string.Concat), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Label_sets_beyond_the_cap_are_dropped_and_counted()
    {
        // The cap is 3 label sets; each status code is one: 200, then 503 from three differently answering routes.
        _proxy.Upsert(Service, Route, _proxy.Plugin("prometheus", new { status_code_metrics = true }));
        var routes = new[] { 401, 403, 429, 451 }.Select(code => (Code: code, Route: new RouteEntity { Id = Guid.NewGuid(), Name = $"r{code}", Paths = [$"/r{code}"], ServiceId = _serviceId })).ToArray();
        foreach (var (code, route) in routes)
        {
            _proxy.Upsert(route, _proxy.Plugin("request-termination", new { status_code = code }, routeId: route.Id));
        }

        await SendAsync("/echo", 1);
        foreach (var (code, _) in routes)
        {
            await SendAsync($"/r{code}", 2);
        }

        var scrape = await _proxy.ScrapeAsync();
        Assert.Equal(3, scrape.Split('\n').Count(l => l.StartsWith("kong_http_requests_total{", StringComparison.Ordinal)));
        Assert.Equal(4, Value(scrape, "turnpike_metrics_series_dropped_total"));
        Assert.Equal(3, _proxy.Metrics.SeriesCount);
    }
}
