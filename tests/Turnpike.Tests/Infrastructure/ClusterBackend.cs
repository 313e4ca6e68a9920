namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// The clustering and storage providers a set of silos and edges share, as the environment variables an
/// operator would set. Each backend gets its own cluster id, so tests sharing a database do not meet.
/// </summary>
internal sealed record ClusterBackend(IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>Localhost clustering and memory storage; silos need a primary, edges a gateway list.</summary>
    public static ClusterBackend Localhost { get; } = new(new Dictionary<string, string>());

    public bool IsLocalhost => Environment.Count == 0;

    public static ClusterBackend Postgres(DatabaseServer server) => Postgres(server.ConnectionString);

    /// <summary>A cluster on one PostgreSQL database (a region of its own, say, on another database of a shared server).</summary>
    public static ClusterBackend Postgres(string connectionString) => new(new Dictionary<string, string>(Unique())
    {
        ["Turnpike__Cluster__Clustering"] = "AdoNet",
        ["Turnpike__Cluster__Storage"] = "AdoNet",
        ["Turnpike__Cluster__AdoNet__ConnectionString"] = connectionString,
    });

    public static ClusterBackend Redis(DatabaseServer server) => new(new Dictionary<string, string>(Unique())
    {
        ["Turnpike__Cluster__Clustering"] = "Redis",
        ["Turnpike__Cluster__Storage"] = "Redis",
        ["Turnpike__Cluster__Redis__ConnectionString"] = server.ConnectionString,
    });

    /// <summary>Membership is kept per cluster id and grain state per service id: both unique, so tests sharing a server start empty.</summary>
    private static Dictionary<string, string> Unique()
    {
        var id = "t-" + Guid.NewGuid().ToString("N")[..12];
        return new() { ["Turnpike__Cluster__ClusterId"] = id, ["Turnpike__Cluster__ServiceId"] = id };
    }
}
