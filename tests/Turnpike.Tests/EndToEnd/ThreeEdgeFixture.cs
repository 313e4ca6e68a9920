using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>One silo and three edge processes: shared by the rate-limiting and metering tests.</summary>
public sealed class ThreeEdgeFixture : IAsyncLifetime
{
    internal SiloNode Silo { get; private set; } = null!;

    internal EdgeNode[] Edges { get; private set; } = [];

    internal UpstreamServer Upstream { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await UpstreamServer.StartAsync();
        Silo = await SiloNode.StartAsync();
        Edges = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => EdgeNode.StartClientAsync([Silo])));
    }

    public async Task DisposeAsync()
    {
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
