using Microsoft.Extensions.Options;
using Turnpike.Cluster;

namespace Turnpike.Hosting;

/// <summary>
/// Every problem with <c>Turnpike:Cluster</c> on a silo, phrased for an operator: the shared checks
/// (<see cref="ClusterOptionsChecks"/>) and what only a silo needs, its storage, its ports and the address it advertises
/// (the primary silo's endpoint with localhost clustering).
/// </summary>
public sealed class SiloClusterOptionsValidator : IValidateOptions<TurnpikeClusterOptions>
{
    private const string Section = ClusterOptionsChecks.Section;

    public ValidateOptionsResult Validate(string? name, TurnpikeClusterOptions options)
    {
        var problems = new List<string>();
        ClusterOptionsChecks.Identity(options, problems);
        if (!StorageProviders.All.Contains(options.Storage, StringComparer.OrdinalIgnoreCase))
        {
            problems.Add($"{Section}:Storage '{options.Storage}' is not supported; use one of: {string.Join(", ", StorageProviders.All)}.");
        }

        ClusterOptionsChecks.Providers(options, problems);
        ClusterOptionsChecks.Timeouts(options, problems);
        if (options.SiloPort is < 1 or > 65535 || options.GatewayPort is < 1 or > 65535)
        {
            problems.Add($"{Section}:SiloPort and {Section}:GatewayPort must be ports between 1 and 65535.");
        }

        ClusterOptionsChecks.Parses(
            string.Equals(options.Clustering, ClusteringProviders.Localhost, StringComparison.OrdinalIgnoreCase)
                ? () => options.ParsedPrimarySiloEndpoint()
                : () => options.ParsedAdvertisedAddress(),
            problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
