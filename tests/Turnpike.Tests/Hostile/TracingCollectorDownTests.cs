using System.Net;
using System.Net.Sockets;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>A trace collector that hangs or is not there costs spans (dropped, counted), never a request's answer.</summary>
public sealed class TracingCollectorDownTests : IAsyncLifetime
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

    private void Serve(int collectorPort, int sendTimeout)
    {
        _echo.Serve(
            _echo.Proxy.Plugin("opentelemetry", new
            {
                traces_endpoint = $"http://127.0.0.1:{collectorPort}/v1/traces",
                sampling_rate = 1,
                connect_timeout = 200,
                send_timeout = sendTimeout,
                queue = new { max_entries = 8, max_batch_size = 4, max_coalescing_delay = 0.01 },
            }));
    }

    private async Task SendAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await _echo.Client.GetAsync("/echo");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await _echo.Proxy.LoggedAsync(count);
    }

    [Fact]
    public async Task Opentelemetry_to_a_collector_that_never_answers_still_answers_every_request()
    {
        // A black hole: accepts the export's connection and never says a word.
        using var blackHole = new TcpListener(IPAddress.Loopback, 0);
        blackHole.Start();
        var accepted = blackHole.AcceptSocketAsync();
        Serve(((IPEndPoint)blackHole.LocalEndpoint).Port, sendTimeout: 60_000);

        await SendAsync(5);
        using var held = await accepted.WaitAsync(TimeSpan.FromSeconds(20)); // the first export is in flight, and hangs

        // Every request while the export hangs is answered: none waits on it (the queue of eight overflows instead).
        await SendAsync(40);
        Assert.Equal(0, _echo.Proxy.LogMetrics.DroppedCount("opentelemetry")); // the hung export has not even failed yet
    }

    [Fact]
    public async Task Opentelemetry_to_a_collector_that_is_down_counts_the_spans_it_could_not_send()
    {
        Serve(FreePorts.Next(), sendTimeout: 500); // nothing listens there

        await SendAsync(10);

        await Poll.UntilAsync(() => Task.FromResult(_echo.Proxy.LogMetrics.DroppedCount("opentelemetry") > 0), TimeSpan.FromSeconds(20), "a counted failed export");
    }
}
