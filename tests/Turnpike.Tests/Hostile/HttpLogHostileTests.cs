using System.Net;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>What a client controls in an http-log record: header names of any case and length, in a batch sent as one array.</summary>
public sealed class HttpLogHostileTests : IAsyncLifetime
{
    private UpstreamServer _upstream = null!;
    private InProcessProxy _proxy = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _upstream = await UpstreamServer.StartAsync();
        _proxy = await InProcessProxy.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_proxy.Url), DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _proxy.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Http_log_batches_arrive_as_one_json_array_with_every_header_name_in_lower_case_however_long()
    {
        await using var collector = await LogCollector.StartAsync();
        var routeId = Guid.NewGuid();
        var serviceId = Guid.NewGuid();
        _proxy.Upsert(
            new ServiceEntity { Id = serviceId, Name = "logged", Host = "127.0.0.1", Port = _upstream.Port, Retries = 0 },
            new RouteEntity { Id = routeId, Name = "logged-route", Paths = ["/logged"], ServiceId = serviceId },
            _proxy.Plugin("http-log", new { http_endpoint = collector.Url, queue = new { max_batch_size = 3, max_coalescing_delay = 30 } }));

        // Longer than the record writer's stack buffer for names, and in mixed case.
        var longName = "X-" + string.Concat(Enumerable.Repeat("Long-Name", 40));
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/logged?seq={i}") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            request.Headers.TryAddWithoutValidation("X-Mixed-CASE", "short");
            request.Headers.TryAddWithoutValidation(longName, "long");
            using var response = await _client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // The batch fills at three and goes at once (not after the 30 s coalescing delay), as one POST of a JSON array.
        await Poll.UntilAsync(() => Task.FromResult(collector.Entries.Count >= 3), TimeSpan.FromSeconds(10), "the batch of three at the collector");
        Assert.Equal(1, collector.Arrived);
        Assert.All(collector.Entries, entry =>
        {
            var headers = entry["request"]!["headers"]!.AsObject();
            Assert.Equal("short", headers["x-mixed-case"]!.GetValue<string>());
            Assert.Equal("long", headers[longName.ToLowerInvariant()]!.GetValue<string>());
            Assert.All(headers, h => Assert.Equal(h.Key.ToLowerInvariant(), h.Key));
            Assert.Equal(routeId.ToString(), entry["route"]!["id"]!.GetValue<string>());
            Assert.Equal(serviceId.ToString(), entry["service"]!["id"]!.GetValue<string>());
        });
        Assert.Equal(["0", "1", "2"], collector.Entries.Select(e => e["request"]!["querystring"]!["seq"]!.GetValue<string>()).Order());
    }
}
