using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Turnpike.Edge.Plugins.Syslog;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Observability;

/// <summary>tcp-log, udp-log and syslog through the proxy pipeline, in process, to real sockets on 127.0.0.1.</summary>
public sealed class SocketLogPluginTests : IAsyncLifetime
{
    private readonly Guid _serviceId = Guid.NewGuid();
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private UpstreamServer _upstream = null!;
    private InProcessProxy _proxy = null!;
    private HttpClient _client = null!;

    private int UdpPort => ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;

    public async Task InitializeAsync()
    {
        _upstream = await UpstreamServer.StartAsync();
        _proxy = await InProcessProxy.StartAsync(syslog: new SyslogOptions { Address = $"udp://127.0.0.1:{UdpPort}" });
        _client = new HttpClient { BaseAddress = new Uri(_proxy.Url), DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _udp.Dispose();
        await _proxy.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private void Serve(PluginEntity plugin, int? upstreamPort = null) => _proxy.Upsert(
        new ServiceEntity { Id = _serviceId, Name = "echo", Host = "127.0.0.1", Port = upstreamPort ?? _upstream.Port, Retries = 0 },
        new RouteEntity { Id = Guid.NewGuid(), Name = "echo-route", Paths = ["/echo"], ServiceId = _serviceId },
        plugin);

    private async Task<HttpStatusCode> SendAsync(string path)
    {
        using var response = await _client.GetAsync(path);
        return response.StatusCode;
    }

    private async Task<string> ReceiveAsync()
    {
        var datagram = await _udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return Encoding.UTF8.GetString(datagram.Buffer);
    }

    [Fact]
    public async Task Tcp_log_writes_one_json_line_per_request_on_a_kept_connection()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Serve(_proxy.Plugin("tcp-log", new { host = "127.0.0.1", port = ((IPEndPoint)listener.LocalEndpoint).Port }));

        Assert.Equal(HttpStatusCode.OK, await SendAsync("/echo?seq=1"));
        using var connection = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
        using var reader = new StreamReader(connection.GetStream());
        var first = JsonNode.Parse((await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)))!)!;
        Assert.Equal(HttpStatusCode.OK, await SendAsync("/echo?seq=2"));
        var second = JsonNode.Parse((await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)))!)!;

        Assert.Equal("/echo?seq=1", first["request"]!["uri"]!.GetValue<string>());
        Assert.Equal("/echo?seq=2", second["request"]!["uri"]!.GetValue<string>());
        Assert.Equal(200, second["response"]!["status"]!.GetValue<int>());
        Assert.Equal("echo", second["service"]!["name"]!.GetValue<string>());
        Assert.False(listener.Pending()); // the second line came on the same connection
    }

    [Fact]
    public async Task Udp_log_sends_each_request_as_one_json_datagram()
    {
        Serve(_proxy.Plugin("udp-log", new { host = "127.0.0.1", port = UdpPort }));

        Assert.Equal(HttpStatusCode.OK, await SendAsync("/echo?seq=7"));

        var record = JsonNode.Parse(await ReceiveAsync())!;
        Assert.Equal("/echo?seq=7", record["request"]!["uri"]!.GetValue<string>());
        Assert.Equal("echo-route", record["route"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Syslog_sends_rfc3164_messages_at_the_status_classes_severity_and_skips_those_below_log_level()
    {
        var closed = FreePorts.Next(); // an upstream that is not there: 502
        var errorsOnly = _proxy.Plugin("syslog", new { log_level = "warning", successful_severity = "info", server_errors_severity = "err", facility = "local0" });
        Serve(errorsOnly, upstreamPort: closed);
        Assert.Equal(HttpStatusCode.BadGateway, await SendAsync("/echo?first=1"));

        var message = await ReceiveAsync();
        Assert.StartsWith("<131>", message, StringComparison.Ordinal); // local0 (16) × 8 + err (3)
        Assert.Matches(@"^<131>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ kong\[\d+\]: \{", message);
        var record = JsonNode.Parse(message[message.IndexOf('{', StringComparison.Ordinal)..])!;
        Assert.Equal(502, record["response"]!["status"]!.GetValue<int>());

        // A success is "info", less severe than log_level "warning": not sent. The next message is the next request's
        // that is severe enough, under a configuration that makes successes "warning".
        Serve(errorsOnly);
        Assert.Equal(HttpStatusCode.OK, await SendAsync("/echo?ok=1"));
        _proxy.Delete(errorsOnly);
        Serve(_proxy.Plugin("syslog", new { log_level = "warning", successful_severity = "warning", facility = "user" }));
        Assert.Equal(HttpStatusCode.OK, await SendAsync("/echo?ok=2"));
        var next = await ReceiveAsync();
        Assert.StartsWith("<12>", next, StringComparison.Ordinal); // user (1) × 8 + warning (4)
        Assert.Contains("ok=2", next, StringComparison.Ordinal);
    }
}
