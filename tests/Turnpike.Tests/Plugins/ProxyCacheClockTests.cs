using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Plugins;

/// <summary>proxy-cache's freshness on a clock the test moves: an in-process proxy whose <see cref="TimeProvider"/> is fake.</summary>
public sealed class ProxyCacheClockTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private UpstreamServer _upstream = null!;
    private InProcessProxy _proxy = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _upstream = await UpstreamServer.StartAsync();
        _proxy = await InProcessProxy.StartAsync(configure: services => services.AddSingleton<TimeProvider>(_time));
        _client = new HttpClient { BaseAddress = new Uri(_proxy.Url), DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _proxy.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private async Task<string> CacheStatusAsync(string path)
    {
        using var response = await _client.GetAsync(path);
        await response.Content.ReadAsByteArrayAsync();
        return response.Headers.TryGetValues("X-Cache-Status", out var values) ? string.Join(",", values) : "";
    }

    [Fact]
    public async Task A_stale_entry_kept_by_storage_ttl_is_refreshed_once_cache_ttl_has_passed_and_is_fresh_again()
    {
        var service = new ServiceEntity { Id = Guid.NewGuid(), Name = "cached", Host = "127.0.0.1", Port = _upstream.Port };
        var route = new RouteEntity { Id = Guid.NewGuid(), Name = "cached", Paths = ["/cached"], ServiceId = service.Id };
        _proxy.Upsert(service, route, _proxy.Plugin("proxy-cache", new { strategy = "memory", cache_ttl = 2, storage_ttl = 60 }, routeId: route.Id));

        Assert.Equal("Miss", await CacheStatusAsync("/cached/s"));
        _time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Equal("Hit", await CacheStatusAsync("/cached/s"));
        _time.Advance(TimeSpan.FromSeconds(1.2)); // ages are whole seconds, as in Age: 3 is past cache_ttl, well within storage_ttl
        Assert.Equal("Refresh", await CacheStatusAsync("/cached/s"));
        Assert.Equal(2, _upstream.ServedFor("/s"));
        Assert.Equal("Hit", await CacheStatusAsync("/cached/s"));
        _time.Advance(TimeSpan.FromSeconds(61)); // past storage_ttl: gone, a miss
        Assert.Equal("Miss", await CacheStatusAsync("/cached/s"));
        Assert.Equal(3, _upstream.ServedFor("/s"));
    }
}
