using System.Net.Sockets;
using System.Text;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>An edge with small <c>Turnpike:Proxy:Limits</c>, so each limit can be met quickly, in front of a balanced service.</summary>
public sealed class LimitedEdgeFixture : IAsyncLifetime
{
    internal EdgeNode Edge { get; private set; } = null!;

    internal RecordingUpstream Upstream { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = RecordingUpstream.Start();
        Edge = await EdgeNode.StartDevAsync(new Dictionary<string, string>
        {
            ["Turnpike__Proxy__Limits__MaxRequestBodySize"] = "1024",
            ["Turnpike__Proxy__Limits__MaxConcurrentConnections"] = "4",
            ["Turnpike__Proxy__Limits__MinDataRateGracePeriod"] = "00:00:01.500",
            ["Turnpike__Proxy__Limits__RequestHeadersTimeout"] = "00:00:01",
            ["Turnpike__Proxy__Limits__MaxRequestHeadersTotalSize"] = "4096",
        });

        // Passive health at its most sensitive: one counted failure would take the only target out.
        await Edge.Admin.CreateAsync("/upstreams", new { name = "limited", healthchecks = new { passive = new { unhealthy = new { http_failures = 1, tcp_failures = 1, timeouts = 1 } } } });
        await Edge.Admin.CreateAsync("/upstreams/limited/targets", new { target = $"127.0.0.1:{Upstream.Port}" });
        await Edge.Admin.CreateAsync("/services", new { name = "limited", url = "http://limited" });
        await Edge.Admin.CreateAsync("/services/limited/routes", new { name = "limited", paths = new[] { "/limited" } });
        await Poll.UntilAsync(async () => (await RawHttp.SendAsync(Edge.ProxyPort, "GET /limited HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n")).Status == 200, TimeSpan.FromSeconds(20), "the route");
    }

    public async Task DisposeAsync()
    {
        await Edge.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}

public sealed class ProxyLimitsTests(LimitedEdgeFixture fixture) : IClassFixture<LimitedEdgeFixture>
{
    private int Port => fixture.Edge.ProxyPort;

    private static string Post(string path, string headers, string body = "") => $"POST {path} HTTP/1.1\r\nHost: g\r\n{headers}Connection: close\r\n\r\n{body}";

    [Fact]
    public async Task A_body_over_the_limit_gets_413_declared_or_chunked_and_the_target_stays_healthy()
    {
        var (declared, text) = await RawHttp.SendAsync(Port, Post("/limited/big", "Content-Length: 5000\r\n", new string('x', 5000)));
        Assert.Equal(413, declared);
        Assert.Contains("Request size limit exceeded", text, StringComparison.Ordinal);

        var chunk = new string('y', 800);
        var chunked = $"{chunk.Length:x}\r\n{chunk}\r\n{chunk.Length:x}\r\n{chunk}\r\n0\r\n\r\n";
        var (streamed, _) = await RawHttp.SendAsync(Port, Post("/limited/big-chunked", "Transfer-Encoding: chunked\r\n", chunked));
        Assert.Equal(413, streamed);

        await AssertTargetHealthyAsync();
    }

    [Fact]
    public async Task A_body_slower_than_the_minimum_rate_gets_408_and_the_target_stays_healthy()
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(Post("/limited/slow", "Content-Length: 1000\r\n")));
        var trickle = Task.Run(async () =>
        {
            for (var i = 0; i < 30; i++)
            {
                await stream.WriteAsync("x"u8.ToArray());
                await Task.Delay(200);
            }
        });

        var (status, _) = await RawHttp.ReadResponseAsync(stream, TimeSpan.FromSeconds(20));
        Assert.True(status is 408 or 0, $"answered {status}"); // 408, or the connection closed as Kestrel does once the response started
        Assert.NotEqual(502, status);
        await AssertTargetHealthyAsync();
        try
        {
            await trickle;
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Headers_over_the_limit_get_431_and_a_client_that_never_finishes_its_headers_is_cut_off()
    {
        var (large, _) = await RawHttp.SendAsync(Port, $"GET /limited/h HTTP/1.1\r\nHost: g\r\nX-Big: {new string('z', 5000)}\r\n\r\n");
        Assert.Equal(431, large);

        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port);
        var stream = client.GetStream();
        await stream.WriteAsync("GET /limited/h HTTP/1.1\r\nHost: g\r\n"u8.ToArray());
        var (slow, _) = await RawHttp.ReadResponseAsync(stream, TimeSpan.FromSeconds(15));
        Assert.True(slow is 408 or 0, $"answered {slow}");
    }

    [Fact]
    public async Task Connections_past_the_listeners_limit_are_closed_and_counted_while_the_admin_api_still_answers()
    {
        var held = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                held.Add(client);
            }

            await Poll.UntilAsync(async () => await fixture.Edge.MetricAsync("turnpike_connections_refused_total") >= 4, TimeSpan.FromSeconds(10), "refused connections");
            using var admin = await fixture.Edge.Admin.GetAsync("/status");
            Assert.True(admin.IsSuccessStatusCode);
        }
        finally
        {
            foreach (var client in held)
            {
                client.Dispose();
            }
        }

        await Poll.UntilAsync(async () => (await RawHttp.SendAsync(Port, "GET /limited/again HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n")).Status == 200, TimeSpan.FromSeconds(10), "a connection after the flood");
    }

    private async Task AssertTargetHealthyAsync()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await RawHttp.SendAsync(Port, "GET /limited/ok HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n")).Status);
        }

        var (_, health) = await fixture.Edge.Admin.GetJsonAsync("/upstreams/limited/health");
        Assert.DoesNotContain("UNHEALTHY", health!.ToJsonString(), StringComparison.Ordinal);
    }
}
