using Turnpike.Cluster;

namespace Turnpike.Hosting;

/// <summary>
/// The checks of <c>Turnpike:Cluster</c> that silos and edges share, phrased for an operator; each role's validator
/// (<see cref="SiloClusterOptionsValidator"/>, <see cref="ClientClusterOptionsValidator"/>) runs them in its own order
/// among the checks only it needs.
/// </summary>
internal static class ClusterOptionsChecks
{
    public const string Section = TurnpikeClusterOptions.Section;

    public static void Identity(TurnpikeClusterOptions options, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(options.ClusterId) || string.IsNullOrWhiteSpace(options.ServiceId))
        {
            problems.Add($"{Section}:ClusterId and {Section}:ServiceId must not be empty.");
        }

        if (!ClusteringProviders.All.Contains(options.Clustering, StringComparer.OrdinalIgnoreCase))
        {
            problems.Add($"{Section}:Clustering '{options.Clustering}' is not supported; use one of: {string.Join(", ", ClusteringProviders.All)}.");
        }
    }

    public static void Providers(TurnpikeClusterOptions options, List<string> problems)
    {
        if (string.Equals(options.Clustering, ClusteringProviders.Cassandra, StringComparison.OrdinalIgnoreCase))
        {
            // Documented as pluggable (docs/operations.md), so it is named as known but absent rather than unknown.
            problems.Add($"{Section}:Clustering 'Cassandra' is not in this build: add the Microsoft.Orleans.Clustering.Cassandra package and "
                + "a Cassandra entry in ClusterProviders.Clustering (Grains/Hosting/ClusterProviders.cs; see docs/operations.md).");
        }

        if (options.Uses(ClusteringProviders.AdoNet) && string.IsNullOrWhiteSpace(options.AdoNet.ConnectionString))
        {
            problems.Add($"{Section}:AdoNet:ConnectionString is required when AdoNet clustering or storage is chosen "
                + "(e.g. Host=127.0.0.1;Port=5432;Database=turnpike;Username=turnpike;Password=...).");
        }

        if (options.Uses(ClusteringProviders.Redis) && string.IsNullOrWhiteSpace(options.Redis.ConnectionString))
        {
            problems.Add($"{Section}:Redis:ConnectionString is required when Redis clustering or storage is chosen (e.g. 127.0.0.1:6379).");
        }
    }

    public static void Timeouts(TurnpikeClusterOptions options, List<string> problems)
    {
        if (options.ResponseTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{Section}:ResponseTimeout must be positive (e.g. 00:00:10).");
        }

        if (options.GatewayListRefreshPeriod <= TimeSpan.Zero)
        {
            problems.Add($"{Section}:GatewayListRefreshPeriod must be positive (e.g. 00:00:05).");
        }
    }

    /// <summary>Runs <paramref name="parse"/> (an endpoint or address read from the section), reporting its format error as a problem.</summary>
    public static void Parses(Action parse, List<string> problems)
    {
        try
        {
            parse();
        }
        catch (FormatException ex)
        {
            problems.Add(ex.Message);
        }
    }
}
