using System.Net;
using Turnpike.RouteTable;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// The echo upstream behind an in-process proxy, with an HTTP/2 client to the proxy: the set-up of tests of plugins that
/// need the proxy pipeline (the log phase, tracing) but no cluster. <see cref="Serve"/> puts the service <c>echo</c> and
/// its route <c>echo-route</c> (<c>/echo</c>) in the table with the plugins given.
/// </summary>
internal sealed class ProxiedEcho : IAsyncDisposable
{
    private ProxiedEcho(UpstreamServer upstream, InProcessProxy proxy)
    {
        Upstream = upstream;
        Proxy = proxy;
        Client = new HttpClient { BaseAddress = new Uri(proxy.Url), DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
    }

    public UpstreamServer Upstream { get; }

    public InProcessProxy Proxy { get; }

    public HttpClient Client { get; }

    public Guid ServiceId { get; } = Guid.NewGuid();

    public Guid RouteId { get; } = Guid.NewGuid();

    public static async Task<ProxiedEcho> StartAsync() => new(await UpstreamServer.StartAsync(), await InProcessProxy.StartAsync());

    /// <summary>A request the way <see cref="Client"/> sends its own: HTTP/2, nothing else.</summary>
    public static HttpRequestMessage Request(string path) =>
        new(HttpMethod.Get, path) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

    public void Serve(params PluginEntity[] plugins) => Proxy.Upsert([
        new ServiceEntity { Id = ServiceId, Name = "echo", Host = "127.0.0.1", Port = Upstream.Port, Retries = 0 },
        new RouteEntity { Id = RouteId, Name = "echo-route", Paths = ["/echo"], ServiceId = ServiceId },
        .. plugins]);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Proxy.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
