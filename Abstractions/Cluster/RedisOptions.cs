namespace Turnpike.Cluster;

/// <summary>The server of <c>Redis</c> clustering and storage (section <c>Turnpike:Cluster:Redis</c>).</summary>
public sealed class RedisOptions
{
    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379,password=...</c>.</summary>
    public string ConnectionString { get; set; } = "";
}
