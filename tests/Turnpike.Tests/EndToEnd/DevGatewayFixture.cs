using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>The one-command gateway (<c>Turnpike.Edge --dev</c>) as a real process, and a real upstream server.</summary>
public sealed class DevGatewayFixture : IAsyncLifetime
{
    internal EdgeNode Edge { get; private set; } = null!;

    internal UpstreamServer Upstream { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await UpstreamServer.StartAsync();
        Edge = await EdgeNode.StartDevAsync();
    }

    public async Task DisposeAsync()
    {
        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }

        if (Upstream is not null)
        {
            await Upstream.DisposeAsync();
        }

    }
}

[CollectionDefinition(Name)]
public sealed class DevGatewayCollection : ICollectionFixture<DevGatewayFixture>
{
    public const string Name = "dev gateway";
}
