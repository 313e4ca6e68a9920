using System.Net;

namespace Turnpike.Cluster;

/// <summary>
/// How silos and edges find each other and where grains keep their state (section <c>Turnpike:Cluster</c>).
/// Silos and edges read the same section, so one configuration file serves a whole deployment.
/// </summary>
public sealed class TurnpikeClusterOptions
{
    public const string Section = "Turnpike:Cluster";

    public string ClusterId { get; set; } = "turnpike";

    public string ServiceId { get; set; } = "turnpike";

    /// <summary>
    /// Membership provider: <c>Localhost</c> (development: a primary silo keeps the table), <c>AdoNet</c>
    /// (PostgreSQL with infra/postgres/schema.sql) or <c>Redis</c>.
    /// </summary>
    public string Clustering { get; set; } = ClusteringProviders.Localhost;

    /// <summary>Grain storage provider: <c>Memory</c> (lost with the silos), <c>AdoNet</c> or <c>Redis</c>.</summary>
    public string Storage { get; set; } = StorageProviders.Memory;

    /// <summary>The database for <c>AdoNet</c> clustering and storage.</summary>
    public AdoNetOptions AdoNet { get; set; } = new();

    /// <summary>The server for <c>Redis</c> clustering and storage.</summary>
    public RedisOptions Redis { get; set; } = new();

    public bool Uses(string provider) =>
        string.Equals(Clustering, provider, StringComparison.OrdinalIgnoreCase) || string.Equals(Storage, provider, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// How long a grain call may take before it fails (Orleans' default is 30 s). A call in flight to a silo
    /// that is killed gets no answer, so this bounds how long such a call, e.g. an admin write, hangs.
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Edges: how often the Orleans client re-reads the gateway list (the membership table, or the static list), to find
    /// silos that joined; Orleans' default is a minute. Each read is a membership query per edge: raise it for large fleets.
    /// </summary>
    public TimeSpan GatewayListRefreshPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The silo-to-silo port of this silo.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port edges connect to on this silo.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Localhost clustering: the silo endpoint that keeps membership (<c>host:port</c>).</summary>
    public string PrimarySiloEndpoint { get; set; } = "127.0.0.1:11111";

    /// <summary>Localhost clustering, edges: the silo gateways to connect to (<c>host:port</c>, comma separated).</summary>
    public string Gateways { get; set; } = "127.0.0.1:30000";

    /// <summary>AdoNet and Redis clustering: the address this silo advertises to the others and to edges.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    public IPAddress ParsedAdvertisedAddress() =>
        IPAddress.TryParse(AdvertisedAddress, out var address)
            ? address
            : throw new FormatException($"{Section}:AdvertisedAddress '{AdvertisedAddress}' is not an IP address.");

    public IPEndPoint ParsedPrimarySiloEndpoint() => ParseEndpoint(PrimarySiloEndpoint, nameof(PrimarySiloEndpoint));

    public IPEndPoint[] ParsedGateways() =>
        [.. Gateways.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(g => ParseEndpoint(g, nameof(Gateways)))];

    private static IPEndPoint ParseEndpoint(string value, string key) =>
        IPEndPoint.TryParse(value, out var endpoint) && endpoint.Port > 0
            ? endpoint
            : throw new FormatException($"{Section}:{key} '{value}' is not an IP endpoint such as 127.0.0.1:30000.");
}

public static class ClusteringProviders
{
    public const string Localhost = "Localhost";
    public const string AdoNet = "AdoNet";
    public const string Redis = "Redis";

    /// <summary>Documented as pluggable; its package is not part of this build.</summary>
    public const string Cassandra = "Cassandra";

    public static readonly IReadOnlyList<string> All = [Localhost, AdoNet, Redis, Cassandra];
}

public static class StorageProviders
{
    public const string Memory = "Memory";
    public const string AdoNet = "AdoNet";
    public const string Redis = "Redis";

    public static readonly IReadOnlyList<string> All = [Memory, AdoNet, Redis];
}
