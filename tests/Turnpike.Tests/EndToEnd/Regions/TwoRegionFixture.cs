using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd.Regions;

/// <summary>
/// Two regions on one machine, each its own cluster (a silo with in-memory state, an edge): <c>us</c>, the home for
/// writes, and <c>eu</c>. Each region reaches the other's link through a <see cref="DelayProxy"/> adding 50 ms each way
/// (a 100 ms round trip); <see cref="EuToUs"/> is the path the tests cut.
/// </summary>
public sealed class TwoRegionFixture : IAsyncLifetime
{
    public const string Secret = "test-link-secret-0123456789abcdef-0123";
    public static readonly TimeSpan OneWay = TimeSpan.FromMilliseconds(50);

    internal SiloNode UsSilo { get; private set; } = null!;

    internal SiloNode EuSilo { get; private set; } = null!;

    internal EdgeNode UsEdge { get; private set; } = null!;

    internal EdgeNode EuEdge { get; private set; } = null!;

    private Dictionary<string, string> _euEdgeEnvironment = [];

    internal DelayProxy EuToUs { get; private set; } = null!;

    internal DelayProxy UsToEu { get; private set; } = null!;

    internal UpstreamServer Upstream { get; private set; } = null!;

    /// <summary>The settings one region's processes share: its name, the home, the secret and the way to the other region.</summary>
    internal static Dictionary<string, string> RegionEnvironment(string region, string peer, string peerLink, string? linkUrl = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["Turnpike__Region"] = region,
            ["Turnpike__Regions__Home"] = "us",
            ["Turnpike__Regions__Secret"] = Secret,
            [$"Turnpike__Regions__Peers__{peer}__Link"] = peerLink,
        };
        if (linkUrl is not null)
        {
            environment["Turnpike__Regions__Link__Urls"] = linkUrl;
        }

        return environment;
    }

    public async Task InitializeAsync()
    {
        Upstream = await UpstreamServer.StartAsync();
        int usLink = FreePorts.Next(), euLink = FreePorts.Next();
        EuToUs = DelayProxy.Start(usLink, OneWay);
        UsToEu = DelayProxy.Start(euLink, OneWay);
        var silos = await Task.WhenAll(
            SiloNode.StartAsync(extraEnvironment: RegionEnvironment("us", "eu", UsToEu.Url, $"http://127.0.0.1:{usLink}")),
            SiloNode.StartAsync(extraEnvironment: RegionEnvironment("eu", "us", EuToUs.Url, $"http://127.0.0.1:{euLink}")));
        (UsSilo, EuSilo) = (silos[0], silos[1]);
        var edges = await Task.WhenAll(
            EdgeNode.StartClientAsync([UsSilo], extraEnvironment: RegionEnvironment("us", "eu", UsToEu.Url)),
            EdgeNode.StartClientAsync([EuSilo], extraEnvironment: _euEdgeEnvironment = RegionEnvironment("eu", "us", EuToUs.Url)));
        (UsEdge, EuEdge) = (edges[0], edges[1]);
    }

    /// <summary>Stops eu's edge and starts a new one in its place (new ports).</summary>
    internal async Task RestartEuEdgeAsync()
    {
        await EuEdge.DisposeAsync();
        EuEdge = await EdgeNode.StartClientAsync([EuSilo], extraEnvironment: new Dictionary<string, string>(_euEdgeEnvironment));
    }

    public async Task DisposeAsync()
    {
        foreach (var node in new IAsyncDisposable?[] { EuEdge, UsEdge, EuSilo, UsSilo, EuToUs, UsToEu, Upstream })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }
    }
}
