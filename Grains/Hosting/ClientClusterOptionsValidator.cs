using Microsoft.Extensions.Options;
using Turnpike.Cluster;

namespace Turnpike.Hosting;

/// <summary>
/// Every problem with <c>Turnpike:Cluster</c> on an edge (an Orleans client), phrased for an operator: the shared checks
/// (<see cref="ClusterOptionsChecks"/>) and what only a client needs, the silo gateways with localhost clustering.
/// Storage and ports are the silos' business and are not read here.
/// </summary>
public sealed class ClientClusterOptionsValidator : IValidateOptions<TurnpikeClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, TurnpikeClusterOptions options)
    {
        var problems = new List<string>();
        ClusterOptionsChecks.Identity(options, problems);
        ClusterOptionsChecks.Providers(options, problems);
        ClusterOptionsChecks.Timeouts(options, problems);
        if (string.Equals(options.Clustering, ClusteringProviders.Localhost, StringComparison.OrdinalIgnoreCase))
        {
            ClusterOptionsChecks.Parses(
                () =>
                {
                    if (options.ParsedGateways().Length == 0)
                    {
                        problems.Add($"{ClusterOptionsChecks.Section}:Gateways must name at least one silo gateway (host:port).");
                    }
                },
                problems);
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
