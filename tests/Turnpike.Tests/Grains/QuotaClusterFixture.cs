using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;
using Xunit;

namespace Turnpike.Tests.Grains;

/// <summary>
/// An in-process Orleans cluster for the rate-limit counter grain on a fake clock: the counter's windows are placed by
/// <see cref="Time"/>, which starts ten seconds into a minute (and an hour, a day…), so a test counting within a window
/// never has to wait for the next one, and moves only when a test advances it.
/// </summary>
public sealed class QuotaClusterFixture : IAsyncLifetime
{
    // The silo runs in this process; its configurator is made by type, so it finds the clock here.
    private static readonly FakeTimeProvider SharedTime = new(new DateTimeOffset(2026, 1, 1, 12, 0, 10, TimeSpan.Zero));

    public TestCluster Cluster { get; private set; } = null!;

    public FakeTimeProvider Time => SharedTime;

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
            siloBuilder.Services.AddSingleton<TimeProvider>(SharedTime);
        }
    }
}
