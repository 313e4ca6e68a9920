using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Turnpike.Edge.Proxy;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Observability;

/// <summary>The log phase's consumers, in process: each runs in its declared order, and one that throws skips none of the others.</summary>
public sealed class LogPhaseTests : IAsyncLifetime
{
    private readonly Guid _serviceId = Guid.NewGuid();
    private readonly List<string> _seen = [];
    private UpstreamServer _upstream = null!;
    private InProcessProxy _proxy = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _upstream = await UpstreamServer.StartAsync();
        _proxy = await InProcessProxy.StartAsync(metering: true, configure: services =>
        {
            // Registered in the reverse of the order they declare.
            services.AddSingleton<IRequestLogPhase>(new Recording(_seen, "after-metering", LogPhaseOrder.Metering + 1));
            services.AddSingleton<IRequestLogPhase>(new Throwing(LogPhaseOrder.Plugins - 1));
            services.AddSingleton<IRequestLogPhase>(new Recording(_seen, "first", 1));
        });
        _client = new HttpClient { BaseAddress = new Uri(_proxy.Url), DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _proxy.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Consumers_run_in_their_declared_order_and_one_that_throws_costs_a_log_line_and_skips_no_other()
    {
        var route = new RouteEntity { Id = Guid.NewGuid(), Name = "echo-route", Paths = ["/echo"], ServiceId = _serviceId };
        _proxy.Upsert(new ServiceEntity { Id = _serviceId, Name = "echo", Host = "127.0.0.1", Port = _upstream.Port, Retries = 0 }, route);

        using (var response = await _client.GetAsync("/echo"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await _proxy.LoggedAsync(1);
        Assert.Equal(["first", "after-metering"], _seen);
        Assert.Equal(1, Assert.Single(_proxy.Meters.Collect()).Counters.Requests); // metering, after the one that threw, ran
        Assert.Contains(_proxy.Log, line => line.Contains("A log-phase consumer failed in Throwing (InvalidOperationException", StringComparison.Ordinal));
    }

    private sealed class Recording(List<string> seen, string name, int order) : IRequestLogPhase
    {
        public int Order => order;

        public void OnCompleted(ProxyContext context) => seen.Add(name);
    }

    private sealed class Throwing(int order) : IRequestLogPhase
    {
        public int Order => order;

        public void OnCompleted(ProxyContext context) => throw new InvalidOperationException("a consumer's bug");
    }
}
