using Microsoft.Extensions.Options;
using Turnpike.Cluster;

namespace Turnpike.Hosting;

/// <summary>
/// Every problem with <c>Turnpike:Cluster</c>, phrased for an operator. Silos and edges need different parts of the
/// section (only silos keep storage and listen on ports; only edges name gateways), hence one instance per role.
/// </summary>
public sealed class TurnpikeClusterOptionsValidator : IValidateOptions<TurnpikeClusterOptions>
{
    private const string Section = TurnpikeClusterOptions.Section;

    public static readonly TurnpikeClusterOptionsValidator Silo = new(forSilo: true);

    public static readonly TurnpikeClusterOptionsValidator Client = new(forSilo: false);

    private TurnpikeClusterOptionsValidator(bool forSilo) => ForSilo = forSilo;

    public bool ForSilo { get; }

    public ValidateOptionsResult Validate(string? name, TurnpikeClusterOptions options)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ClusterId) || string.IsNullOrWhiteSpace(options.ServiceId))
        {
            problems.Add($"{Section}:ClusterId and {Section}:ServiceId must not be empty.");
        }

        if (!ClusteringProviders.All.Contains(options.Clustering, StringComparer.OrdinalIgnoreCase))
        {
            problems.Add($"{Section}:Clustering '{options.Clustering}' is not supported; use one of: {string.Join(", ", ClusteringProviders.All)}.");
        }

        if (ForSilo && !StorageProviders.All.Contains(options.Storage, StringComparer.OrdinalIgnoreCase))
        {
            problems.Add($"{Section}:Storage '{options.Storage}' is not supported; use one of: {string.Join(", ", StorageProviders.All)}.");
        }

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

        if (options.ResponseTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{Section}:ResponseTimeout must be positive (e.g. 00:00:10).");
        }

        if (options.GatewayListRefreshPeriod <= TimeSpan.Zero)
        {
            problems.Add($"{Section}:GatewayListRefreshPeriod must be positive (e.g. 00:00:05).");
        }

        if (ForSilo && (options.SiloPort is < 1 or > 65535 || options.GatewayPort is < 1 or > 65535))
        {
            problems.Add($"{Section}:SiloPort and {Section}:GatewayPort must be ports between 1 and 65535.");
        }

        try
        {
            var localhost = string.Equals(options.Clustering, ClusteringProviders.Localhost, StringComparison.OrdinalIgnoreCase);
            if (localhost && ForSilo)
            {
                options.ParsedPrimarySiloEndpoint();
            }
            else if (ForSilo)
            {
                options.ParsedAdvertisedAddress();
            }
            else if (localhost && options.ParsedGateways().Length == 0)
            {
                problems.Add($"{Section}:Gateways must name at least one silo gateway (host:port).");
            }
        }
        catch (FormatException ex)
        {
            problems.Add(ex.Message);
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
