using System.Net;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>What a client controls in an http-log record: header names of any case and length, in a batch sent as one array.</summary>
public sealed class HttpLogHostileTests : IAsyncLifetime
{
    private ProxiedEcho _echo = null!;

    public async Task InitializeAsync()
    {
        _echo = await ProxiedEcho.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _echo.DisposeAsync();
    }

    [Fact]
    public async Task Http_log_batches_arrive_as_one_json_array_with_every_header_name_in_lower_case_however_long()
    {
        await using var collector = await LogCollector.StartAsync();
        _echo.Serve(
            _echo.Proxy.Plugin("http-log", new { http_endpoint = collector.Url, queue = new { max_batch_size = 3, max_coalescing_delay = 30 } }));

        // Longer than the record writer's stack buffer for names, and in mixed case.
        var longName = "X-" + string.Concat(Enumerable.Repeat("Long-Name", 40));
        for (var i = 0; i < 3; i++)
        {
            using var request = ProxiedEcho.Request($"/echo?seq={i}");
            request.Headers.TryAddWithoutValidation("X-Mixed-CASE", "short");
            request.Headers.TryAddWithoutValidation(longName, "long");
            using var response = await _echo.Client.SendAsync(request);
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
            Assert.Equal(_echo.RouteId.ToString(), entry["route"]!["id"]!.GetValue<string>());
            Assert.Equal(_echo.ServiceId.ToString(), entry["service"]!["id"]!.GetValue<string>());
        });
        Assert.Equal(["0", "1", "2"], collector.Entries.Select(e => e["request"]!["querystring"]!["seq"]!.GetValue<string>()).Order());
    }
}
