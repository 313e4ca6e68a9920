using System.Net;
using System.Text.Json.Nodes;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Observability;

/// <summary>http-log and file-log through the proxy pipeline, in process, with a real collector and a real file.</summary>
public sealed class LoggingPluginTests : IAsyncLifetime
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

    private async Task SendAsync(int sequence)
    {
        using var request = ProxiedEcho.Request($"/echo?seq={sequence}");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "secret-token");
        using var response = await _echo.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Http_log_to_a_slow_then_dead_collector_never_holds_a_request_drops_beyond_its_queue_and_delivers_the_rest_once()
    {
        await using var collector = await LogCollector.StartAsync();
        _echo.Serve(_echo.Proxy.Plugin("http-log", new
        {
            http_endpoint = collector.Url,
            queue = new { max_batch_size = 1, max_entries = 5, initial_retry_delay = 0.05, max_retry_delay = 0.2, max_retry_time = 120 },
        }));

        // Slow: the collector holds every POST. All 20 requests are answered while it holds the first entry: none waits.
        collector.Hold();
        for (var i = 1; i <= 20; i++)
        {
            await SendAsync(i);
        }

        await _echo.Proxy.LoggedAsync(20);
        await Poll.UntilAsync(() => Task.FromResult(collector.Arrived >= 1), TimeSpan.FromSeconds(10), "the first entry at the collector");

        // One entry in flight and five queued; the other fourteen dropped and counted.
        Assert.Equal(14, LogDropped());
        Assert.Empty(collector.Entries);

        // Down (the held POST is aborted unrecorded, retries are refused), then back.
        await collector.DownAsync();
        await collector.UpAsync();
        await Poll.UntilAsync(() => Task.FromResult(collector.Entries.Count >= 6), TimeSpan.FromSeconds(20), "the six kept entries after recovery");

        var sequences = collector.Entries.Select(e => e["request"]!["querystring"]!["seq"]!.GetValue<string>()).ToList();
        Assert.Equal(6, sequences.Count);
        Assert.Equal(6, sequences.Distinct().Count()); // nothing delivered twice
        Assert.Equal(14, LogDropped());
        Assert.All(collector.Entries, e => Assert.Equal("REDACTED", e["request"]!["headers"]!["authorization"]!.GetValue<string>()));
    }

    [Fact]
    public async Task File_log_appends_one_json_line_per_request_in_Kongs_record_shape()
    {
        var path = Path.Combine(Path.GetTempPath(), $"turnpike-file-log-{Guid.NewGuid():N}.log");
        try
        {
            _echo.Serve(_echo.Proxy.Plugin("file-log", new { path }));
            await SendAsync(1);
            await SendAsync(2);
            await _echo.Proxy.LoggedAsync(2);
            await Poll.UntilAsync(() => Task.FromResult(File.Exists(path) && File.ReadAllLines(path).Length >= 2), TimeSpan.FromSeconds(10), "two lines in the file");

            var lines = File.ReadAllLines(path);
            Assert.Equal(2, lines.Length);
            var record = JsonNode.Parse(lines[1])!.AsObject();
            Assert.Equal("GET", record["request"]!["method"]!.GetValue<string>());
            Assert.Equal("/echo?seq=2", record["request"]!["uri"]!.GetValue<string>());
            Assert.Equal(200, record["response"]!["status"]!.GetValue<int>());
            Assert.Equal("echo", record["service"]!["name"]!.GetValue<string>());
            Assert.Equal("echo-route", record["route"]!["name"]!.GetValue<string>());
            Assert.True(record["latencies"]!["request"]!.GetValue<long>() >= 0);
            Assert.True(record["latencies"]!["proxy"]!.GetValue<long>() >= 0);
            Assert.Equal("127.0.0.1", record["client_ip"]!.GetValue<string>());
            Assert.InRange(record["started_at"]!.GetValue<long>(), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            Assert.Equal("upstream", record["source"]!.GetValue<string>());
            Assert.Equal("REDACTED", record["request"]!["headers"]!["authorization"]!.GetValue<string>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_global_file_log_records_the_404_of_a_request_no_route_matched_without_route_or_service()
    {
        var path = Path.Combine(Path.GetTempPath(), $"turnpike-file-log-{Guid.NewGuid():N}.log");
        try
        {
            _echo.Serve(_echo.Proxy.Plugin("file-log", new { path }));
            using (var response = await _echo.Client.SendAsync(ProxiedEcho.Request("/nowhere?seq=1")))
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            }

            await _echo.Proxy.LoggedAsync(1);
            await Poll.UntilAsync(() => Task.FromResult(File.Exists(path) && File.ReadAllLines(path).Length >= 1), TimeSpan.FromSeconds(10), "a line in the file");

            var record = JsonNode.Parse(File.ReadAllLines(path).Single())!.AsObject();
            Assert.Equal(404, record["response"]!["status"]!.GetValue<int>());
            Assert.Equal("/nowhere?seq=1", record["request"]!["uri"]!.GetValue<string>());
            Assert.Equal("kong", record["source"]!.GetValue<string>());
            Assert.Equal(-1, record["latencies"]!["proxy"]!.GetValue<long>());
            Assert.False(record.ContainsKey("route"));
            Assert.False(record.ContainsKey("service"));
            Assert.Empty(record["tries"]!.AsArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Two_file_log_plugins_on_one_path_append_every_line_and_keep_what_the_file_held()
    {
        var path = Path.Combine(Path.GetTempPath(), $"turnpike-file-log-{Guid.NewGuid():N}.log");
        await File.WriteAllTextAsync(path, "{\"written\":\"before\"}\n");
        try
        {
            var otherRouteId = Guid.NewGuid();
            _echo.Proxy.Upsert(
                new ServiceEntity { Id = _echo.ServiceId, Name = "echo", Host = "127.0.0.1", Port = _echo.Upstream.Port, Retries = 0 },
                new RouteEntity { Id = _echo.RouteId, Name = "echo-route", Paths = ["/echo"], ServiceId = _echo.ServiceId },
                new RouteEntity { Id = otherRouteId, Name = "other-route", Paths = ["/other"], ServiceId = _echo.ServiceId },
                _echo.Proxy.Plugin("file-log", new { path }, routeId: _echo.RouteId),
                _echo.Proxy.Plugin("file-log", new { path }, routeId: otherRouteId));

            // Each handler keeps its file open between its batches: rounds of one request per route, each round's
            // lines written before the next, make each handler write again after the other one has.
            const int Rounds = 5;
            for (var round = 1; round <= Rounds; round++)
            {
                await Task.WhenAll(GetOkAsync($"/echo?seq={round}"), GetOkAsync($"/other?seq={round}"));
                await _echo.Proxy.LoggedAsync(2);
                var expected = 1 + (2 * round);
                await Poll.UntilAsync(() => Task.FromResult(File.ReadAllLines(path).Length >= expected), TimeSpan.FromSeconds(10), $"{expected} lines in the file");
            }

            var lines = File.ReadAllLines(path);
            Assert.Equal("{\"written\":\"before\"}", lines[0]);
            var routes = lines.Skip(1).Select(line => JsonNode.Parse(line)!["route"]!["name"]!.GetValue<string>()).ToList();
            Assert.Equal(Rounds, routes.Count(r => r == "echo-route"));
            Assert.Equal(Rounds, routes.Count(r => r == "other-route"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task File_log_writes_credentials_from_the_query_and_custom_key_headers_as_REDACTED()
    {
        var path = Path.Combine(Path.GetTempPath(), $"turnpike-file-log-{Guid.NewGuid():N}.log");
        try
        {
            _echo.Proxy.Upsert(
                new ServiceEntity { Id = _echo.ServiceId, Name = "echo", Host = "127.0.0.1", Port = _echo.Upstream.Port, Retries = 0 },
                new RouteEntity { Id = _echo.RouteId, Name = "echo-route", Paths = ["/echo"], ServiceId = _echo.ServiceId },
                _echo.Proxy.Plugin("key-auth", new { key_names = new[] { "x-team-key", "team_key" } }, routeId: _echo.RouteId),
                _echo.Proxy.Plugin("file-log", new { path }, routeId: _echo.RouteId));

            // Guessed keys are refused, and a guess is as secret as a real key: none of it reaches the log.
            using (var response = await _echo.Client.GetAsync("/echo?team_key=guess-one&access_token=guess-two&API_KEY=guess-three&page=2"))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }

            using (var request = ProxiedEcho.Request("/echo?page=3"))
            {
                request.Headers.Add("X-Team-Key", "guess-four");
                using var response = await _echo.Client.SendAsync(request);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }

            await _echo.Proxy.LoggedAsync(2);
            await Poll.UntilAsync(() => Task.FromResult(File.Exists(path) && File.ReadAllLines(path).Length >= 2), TimeSpan.FromSeconds(10), "two lines in the file");

            var lines = File.ReadAllLines(path);
            Assert.All(lines, line => Assert.DoesNotContain("guess", line, StringComparison.Ordinal));
            var records = lines.Select(line => JsonNode.Parse(line)!["request"]!).ToDictionary(r => r["querystring"]!["page"]!.GetValue<string>());
            Assert.Equal("/echo?team_key=REDACTED&access_token=REDACTED&API_KEY=REDACTED&page=2", records["2"]["uri"]!.GetValue<string>());
            Assert.Equal("REDACTED", records["2"]["querystring"]!["team_key"]!.GetValue<string>());
            Assert.Equal("REDACTED", records["3"]["headers"]!["x-team-key"]!.GetValue<string>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private async Task GetOkAsync(string uri)
    {
        using var response = await _echo.Client.GetAsync(uri);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private double LogDropped() => _echo.Proxy.LogMetrics.DroppedCount("http-log");
}
