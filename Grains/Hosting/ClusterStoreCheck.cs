using Microsoft.Extensions.Hosting;
using Npgsql;
using StackExchange.Redis;
using Turnpike.Cluster;

namespace Turnpike.Hosting;

/// <summary>
/// Runs before Orleans starts and stops the process with a message naming the setting to fix when the
/// cluster's database or Redis server cannot be reached or the database lacks Turnpike's schema.
/// Without it Orleans would retry for a while and then fail with a provider exception.
/// </summary>
internal sealed class ClusterStoreCheck(TurnpikeClusterOptions options) : IHostedService
{
    private static readonly string[] ClusteringQueries =
    [
        "InsertMembershipVersionKey", "MembershipReadAllKey", "MembershipReadRowKey", "InsertMembershipKey", "UpdateMembershipKey",
        "UpdateIAmAlivetimeKey", "DeleteMembershipTableEntriesKey", "CleanupDefunctSiloEntriesKey", "GatewaysQueryKey",
    ];

    private static readonly string[] StorageQueries = ["ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey"];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Uses(ClusteringProviders.AdoNet) && string.Equals(options.AdoNet.Invariant, "Npgsql", StringComparison.OrdinalIgnoreCase))
        {
            await CheckPostgresAsync(cancellationToken);
        }

        if (options.Uses(ClusteringProviders.Redis))
        {
            await CheckRedisAsync();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task CheckPostgresAsync(CancellationToken cancellationToken)
    {
        const string Key = TurnpikeClusterOptions.Section + ":AdoNet:ConnectionString";
        NpgsqlConnectionStringBuilder settings;
        try
        {
            settings = new NpgsqlConnectionStringBuilder(options.AdoNet.ConnectionString) { Timeout = 5 };
        }
        catch (ArgumentException ex)
        {
            throw new ConfigurationProblemException($"{Key} is not a valid PostgreSQL connection string: {ex.Message}", ex);
        }

        var server = $"{settings.Host}:{settings.Port}, database '{settings.Database}'";
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new ConfigurationProblemException($"Cannot use the PostgreSQL server at {server} ({ex.Message}). Check {Key} and that the server runs.", ex);
        }

        var present = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await using var command = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery", connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                present.Add(reader.GetString(0));
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            throw new ConfigurationProblemException(
                $"Turnpike's schema is not applied to {server}: run infra/postgres/apply-schema.sh postgresql://USER@HOST:PORT/DATABASE (see docs/operations.md).", ex);
        }

        var needed = (string.Equals(options.Clustering, ClusteringProviders.AdoNet, StringComparison.OrdinalIgnoreCase) ? ClusteringQueries : [])
            .Concat(string.Equals(options.Storage, StorageProviders.AdoNet, StringComparison.OrdinalIgnoreCase) ? StorageQueries : []);
        var missing = needed.Where(q => !present.Contains(q)).ToList();
        if (missing.Count > 0)
        {
            throw new ConfigurationProblemException(
                $"The schema in {server} lacks the queries {string.Join(", ", missing)}: apply infra/postgres/schema.sql again (infra/postgres/apply-schema.sh).");
        }
    }

    private async Task CheckRedisAsync()
    {
        const string Key = TurnpikeClusterOptions.Section + ":Redis:ConnectionString";
        ConfigurationOptions settings;
        try
        {
            settings = ConfigurationOptions.Parse(options.Redis.ConnectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ConfigurationProblemException($"{Key} is not a valid Redis configuration string: {ex.Message}", ex);
        }

        settings.ConnectTimeout = 5000;
        settings.AbortOnConnectFail = true;
        try
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(settings);
            await redis.GetDatabase().PingAsync();
        }
        catch (RedisException ex)
        {
            throw new ConfigurationProblemException($"Cannot use the Redis server at {options.Redis.ConnectionString} ({ex.Message}). Check {Key} and that the server runs.", ex);
        }
    }
}
