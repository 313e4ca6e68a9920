using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Manager;

/// <summary>
/// A silo and two client edges with admin authentication on (a bootstrap token), an upstream, and headless
/// Chromium: what the Manager's browser tests drive. Each test uses names of its own.
/// </summary>
public sealed class ManagerClusterFixture : IAsyncLifetime
{
    public const string AdminToken = "manager-test-token-0123456789";

    internal SiloNode Silo { get; private set; } = null!;

    internal EdgeNode[] Edges { get; private set; } = [];

    internal UpstreamServer Upstream { get; private set; } = null!;

    internal HeadlessBrowser Browser { get; private set; } = null!;

    internal EdgeNode Edge => Edges[0];

    public async Task InitializeAsync()
    {
        Upstream = await UpstreamServer.StartAsync();
        Silo = await SiloNode.StartAsync();
        var browser = HeadlessBrowser.StartAsync();
        Edges = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            EdgeNode.StartClientAsync([Silo], TimeSpan.FromMilliseconds(500), extraEnvironment: new() { ["TURNPIKE_ADMIN_TOKEN"] = AdminToken })));
        foreach (var edge in Edges)
        {
            edge.Admin.DefaultRequestHeaders.Add("Kong-Admin-Token", AdminToken);
        }

        Browser = await browser;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        foreach (var edge in Edges)
        {
            await edge.DisposeAsync();
        }

        if (Silo is not null)
        {
            await Silo.DisposeAsync();
        }

        if (Upstream is not null)
        {
            await Upstream.DisposeAsync();
        }
    }
}
