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

    /// <summary>Every problem with these options, phrased for an operator; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate(bool forSilo)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(ClusterId) || string.IsNullOrWhiteSpace(ServiceId))
        {
            problems.Add($"{Section}:ClusterId and {Section}:ServiceId must not be empty.");
        }

        if (!ClusteringProviders.All.Contains(Clustering, StringComparer.OrdinalIgnoreCase))
        {
            problems.Add($"{Section}:Clustering '{Clustering}' is not supported; use one of: {string.Join(", ", ClusteringProviders.All)}.");
        }

        if (forSilo && !StorageProviders.All.Contains(Storage, StringComparer.OrdinalIgnoreCase))
        {
            problems.Add($"{Section}:Storage '{Storage}' is not supported; use one of: {string.Join(", ", StorageProviders.All)}.");
        }

        if (string.Equals(Clustering, ClusteringProviders.Cassandra, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"{Section}:Clustering 'Cassandra' is not in this build: add the Microsoft.Orleans.Clustering.Cassandra package and "
                + "a UseCassandraClustering branch in TurnpikeClusterBuilderExtensions (see docs/operations.md).");
        }

        if (Uses(ClusteringProviders.AdoNet) && string.IsNullOrWhiteSpace(AdoNet.ConnectionString))
        {
            problems.Add($"{Section}:AdoNet:ConnectionString is required when AdoNet clustering or storage is chosen "
                + "(e.g. Host=127.0.0.1;Port=5432;Database=turnpike;Username=turnpike;Password=...).");
        }

        if (Uses(ClusteringProviders.Redis) && string.IsNullOrWhiteSpace(Redis.ConnectionString))
        {
            problems.Add($"{Section}:Redis:ConnectionString is required when Redis clustering or storage is chosen (e.g. 127.0.0.1:6379).");
        }

        if (ResponseTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{Section}:ResponseTimeout must be positive (e.g. 00:00:10).");
        }

        if (forSilo && (SiloPort is < 1 or > 65535 || GatewayPort is < 1 or > 65535))
        {
            problems.Add($"{Section}:SiloPort and {Section}:GatewayPort must be ports between 1 and 65535.");
        }

        try
        {
            var localhost = string.Equals(Clustering, ClusteringProviders.Localhost, StringComparison.OrdinalIgnoreCase);
            if (localhost && forSilo)
            {
                ParsedPrimarySiloEndpoint();
            }
            else if (forSilo)
            {
                ParsedAdvertisedAddress();
            }
            else if (localhost && ParsedGateways().Length == 0)
            {
                problems.Add($"{Section}:Gateways must name at least one silo gateway (host:port).");
            }
        }
        catch (FormatException ex)
        {
            problems.Add(ex.Message);
        }

        return problems;
    }

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
