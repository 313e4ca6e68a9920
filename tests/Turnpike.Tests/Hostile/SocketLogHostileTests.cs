using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Turnpike.Edge.Plugins.Syslog;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>
/// What a client sends reaches the socket logs escaped: a CR/LF/NUL in its query stays inside one JSON string, so it
/// can neither split a tcp-log line nor forge a second syslog message; a logger that is down never holds a request.
/// </summary>
public sealed class SocketLogHostileTests : IAsyncLifetime
{
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private UpstreamServer _upstream = null!;
    private InProcessProxy _proxy = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _upstream = await UpstreamServer.StartAsync();
        _proxy = await InProcessProxy.StartAsync(syslog: new SyslogOptions { Address = $"udp://127.0.0.1:{((IPEndPoint)_udp.Client.LocalEndPoint!).Port}" });
        _client = new HttpClient { BaseAddress = new Uri(_proxy.Url), DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _udp.Dispose();
        await _proxy.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private void Serve(PluginEntity plugin)
    {
        var serviceId = Guid.NewGuid();
        _proxy.Upsert(
            new ServiceEntity { Id = serviceId, Host = "127.0.0.1", Port = _upstream.Port, Retries = 0 },
            new RouteEntity { Id = Guid.NewGuid(), Paths = ["/echo"], ServiceId = serviceId },
            plugin);
    }

    [Fact]
    public async Task Syslog_keeps_a_query_with_CR_LF_and_NUL_inside_one_message()
    {
        Serve(_proxy.Plugin("syslog", new { }));

        using var response = await _client.GetAsync("/echo?x=a%0D%0A%3C13%3EJan%20%201%2000:00:00%20forged%00end");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var message = Encoding.UTF8.GetString((await _udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10))).Buffer);
        Assert.DoesNotContain('\r', message);
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain('\0', message);
        var record = JsonNode.Parse(message[message.IndexOf('{', StringComparison.Ordinal)..])!;
        Assert.Equal("a\r\n<13>Jan  1 00:00:00 forged\0end", record["request"]!["querystring"]!["x"]!.GetValue<string>());
    }

    [Fact]
    public async Task Tcp_log_to_a_port_nobody_listens_on_answers_every_request_and_counts_what_it_drops()
    {
        Serve(_proxy.Plugin("tcp-log", new { host = "127.0.0.1", port = FreePorts.Next(), timeout = 200 }));

        for (var i = 0; i < 20; i++)
        {
            using var response = await _client.GetAsync("/echo");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await _proxy.LoggedAsync(20);
        Assert.True(_proxy.LogMetrics.DroppedCount("tcp-log") <= 20); // queued for retries (a minute), then dropped and counted
    }

    [Theory]
    [InlineData("tcp-log", """{"host":"127.0.0.1"}""", "port")]
    [InlineData("tcp-log", """{"host":"evil\r\nhost","port":9}""", "host")]
    [InlineData("udp-log", """{"host":"not a host","port":9}""", "host")]
    [InlineData("udp-log", """{"host":"127.0.0.1","port":70000}""", "port")]
    [InlineData("syslog", """{"log_level":"verbose"}""", "log_level")]
    [InlineData("syslog", """{"facility":"local9"}""", "facility")]
    public void Socket_log_config_that_is_not_Kongs_is_refused_at_its_field(string plugin, string config, string field)
    {
        var error = Assert.Throws<ArgumentException>(() => _proxy.Plugin(plugin, JsonNode.Parse(config)));
        Assert.Contains(field + ":", error.Message, StringComparison.Ordinal);
    }
}
