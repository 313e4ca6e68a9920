using System.Net;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>Label values are the entities' text: whatever they hold, a scrape stays one well-formed line per series.</summary>
public sealed class MetricsLabelTests
{
    [Fact]
    public async Task A_consumer_name_with_quotes_and_newlines_cannot_forge_a_metric_line()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        await using var proxy = await InProcessProxy.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(proxy.Url), DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var service = new ServiceEntity { Id = Guid.NewGuid(), Name = "svc", Host = "127.0.0.1", Port = upstream.Port, Retries = 0 };
        var route = new RouteEntity { Id = Guid.NewGuid(), Name = "rt", Paths = ["/x"], ServiceId = service.Id };
        var evil = new ConsumerEntity { Id = Guid.NewGuid(), Username = "evil\"} 1\nkong_forged_total 9\n\\" };
        proxy.Upsert(
            evil, new KeyAuthCredentialEntity { Id = Guid.NewGuid(), ConsumerId = evil.Id, Key = "evil-key" }, service, route,
            proxy.Plugin("key-auth"), proxy.Plugin("prometheus", new { status_code_metrics = true, per_consumer = true }));

        using (var request = new HttpRequestMessage(HttpMethod.Get, "/x") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact })
        {
            request.Headers.Add("apikey", "evil-key");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await proxy.LoggedAsync(1);
        var lines = (await proxy.ScrapeAsync()).Split('\n');
        Assert.DoesNotContain(lines, l => l.StartsWith("kong_forged_total", StringComparison.Ordinal));
        var series = Assert.Single(lines, l => l.StartsWith("kong_http_requests_total{", StringComparison.Ordinal));
        Assert.EndsWith(""",consumer="evil\"} 1\nkong_forged_total 9\n\\"} 1""", series, StringComparison.Ordinal);
    }
}
