using System.Net;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Metering;

/// <summary>Metering as a consumer of the log phase, in process: who answered decides whether a request is billed as served or rejected.</summary>
public sealed class MeteringLogPhaseTests : IAsyncLifetime
{
    private readonly Guid _serviceId = Guid.NewGuid();
    private UpstreamServer _upstream = null!;
    private InProcessProxy _proxy = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _upstream = await UpstreamServer.StartAsync();
        _proxy = await InProcessProxy.StartAsync(metering: true);
        _client = new HttpClient { BaseAddress = new Uri(_proxy.Url), DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _proxy.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private ServiceEntity Service => new() { Id = _serviceId, Name = "echo", Host = "127.0.0.1", Port = _upstream.Port, Retries = 0 };

    private async Task<string> GetAsync(string path)
    {
        using var response = await _client.GetAsync(path);
        await response.Content.ReadAsByteArrayAsync();
        await _proxy.LoggedAsync(1);
        return response.Headers.TryGetValues("X-Cache-Status", out var values) ? string.Join(",", values) : $"{(int)response.StatusCode}";
    }

    [Fact]
    public async Task A_proxy_cache_hit_is_billed_as_a_served_request_not_a_rejection()
    {
        var route = new RouteEntity { Id = Guid.NewGuid(), Name = "cached", Paths = ["/cached"], ServiceId = _serviceId };
        _proxy.Upsert(Service, route, _proxy.Plugin("proxy-cache", new { strategy = "memory" }, routeId: route.Id));

        Assert.Equal("Miss", await GetAsync("/cached/item")); // stored in the log phase
        Assert.Equal("Hit", await GetAsync("/cached/item"));
        Assert.Equal(1, _upstream.ServedFor("/item")); // strip_path: the upstream sees the rest

        var metered = Assert.Single(_proxy.Meters.Collect());
        Assert.Equal(route.Id, metered.RouteId);
        Assert.Equal(2, metered.Counters.Requests);
        Assert.Equal(0, metered.Counters.Rejected);
        Assert.True(metered.Counters.BytesOut > 0);
    }

    [Fact]
    public async Task A_plugins_answer_is_billed_as_a_rejection_and_the_routers_404_not_at_all()
    {
        var route = new RouteEntity { Id = Guid.NewGuid(), Name = "terminated", Paths = ["/terminated"], ServiceId = _serviceId };
        _proxy.Upsert(Service, route, _proxy.Plugin("request-termination", new { status_code = 503 }, routeId: route.Id));

        Assert.Equal("503", await GetAsync("/terminated"));
        Assert.Equal("404", await GetAsync("/nowhere"));

        var metered = Assert.Single(_proxy.Meters.Collect());
        Assert.Equal(route.Id, metered.RouteId);
        Assert.Equal(1, metered.Counters.Requests);
        Assert.Equal(1, metered.Counters.Rejected);
    }
}
