using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Turnpike.Edge.Ai.SemanticCache;

/// <summary>
/// The edge's Redis connections for ai-semantic-cache, one multiplexer per server and login, made on first use and
/// kept (StackExchange.Redis reconnects by itself). A server that cannot be reached makes calls fail fast rather than
/// wait: <c>AbortOnConnectFail</c> is off, so the connection keeps retrying in the background.
/// </summary>
internal sealed class SemanticCacheRedisConnections : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<ConnectionMultiplexer>>> _connections = new(StringComparer.Ordinal);

    /// <summary>The server's database; throws a <see cref="RedisException"/> when no connection could be made (the next call tries again).</summary>
    public async Task<IDatabase> DatabaseAsync(SemanticCacheRedis redis)
    {
        var key = redis.ConnectionKey;
        try
        {
            var connection = await _connections.GetOrAdd(key, _ => new Lazy<Task<ConnectionMultiplexer>>(() => ConnectAsync(redis))).Value;
            return connection.GetDatabase(redis.Database);
        }
        catch (Exception ex) when (ex is not RedisException)
        {
            _connections.TryRemove(key, out _);
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, ex.Message, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections.Values)
        {
            if (connection.IsValueCreated && connection.Value.IsCompletedSuccessfully)
            {
                await connection.Value.Result.DisposeAsync();
            }
        }
    }

    private static Task<ConnectionMultiplexer> ConnectAsync(SemanticCacheRedis redis)
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { { redis.Host, redis.Port } },
            User = redis.Username,
            Password = redis.Password,
            DefaultDatabase = redis.Database,
            Ssl = redis.Ssl,
            SslHost = redis.ServerName,
            ConnectTimeout = redis.TimeoutMs,
            AsyncTimeout = redis.TimeoutMs,
            SyncTimeout = redis.TimeoutMs,
            AbortOnConnectFail = false,
            ConnectRetry = 1,
            ClientName = "turnpike-ai-semantic-cache",
        };
        // ssl_verify is accepted and not used: with ssl a server's certificate is always verified against the system's roots.
        return ConnectionMultiplexer.ConnectAsync(options);
    }
}
