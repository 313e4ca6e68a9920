namespace Turnpike.Edge.Ai.SemanticCache;

/// <summary>Kong's <c>vectordb.redis</c> record: where the Redis server is and how to log in.</summary>
internal sealed record SemanticCacheRedis(string Host, int Port, int TimeoutMs, string? Username, string? Password, int Database, bool Ssl, bool SslVerify, string? ServerName)
{
    /// <summary>The connection's identity: instances naming the same server and login share one connection.</summary>
    public string ConnectionKey => $"{Host}|{Port}|{Database}|{Username}|{Password?.GetHashCode(StringComparison.Ordinal)}|{Ssl}|{SslVerify}|{ServerName}|{TimeoutMs}";
}
