using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Production;

/// <summary>One private PostgreSQL server (infra/postgres/start.sh) and one upstream for the production-cluster tests.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    internal DatabaseServer Postgres { get; private set; } = null!;

    internal UpstreamServer Upstream { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Postgres = await DatabaseServer.StartPostgresAsync();
        Upstream = await UpstreamServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (Upstream is not null)
        {
            await Upstream.DisposeAsync();
        }

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
    }
}

/// <summary>The tests that kill and restart processes run one at a time: their timings are what they measure.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
