using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;
using Turnpike.RouteTable;
using Xunit;

namespace Turnpike.Tests.Grains;

/// <summary>An in-process Orleans cluster (TestingHost) with the grains and in-memory storage (whose writes a test can hold at a barrier).</summary>
public sealed class RouteTableClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.StopAllSilosAsync();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (_, _) => new SlowWritesStorage());
            siloBuilder.Services.AddSingleton(TimeProvider.System);
            siloBuilder.Services.Configure<RouteTableOptions>(o => o.ChangeLogCapacity = 50);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RouteTableClusterCollection : ICollectionFixture<RouteTableClusterFixture>
{
    public const string Name = "route table cluster";
}
