using Microsoft.Extensions.Options;

namespace Turnpike.Regions;

/// <summary>
/// Every problem with <c>Turnpike:Regions</c> on an edge, phrased for an operator: the shared checks
/// (<see cref="RegionOptionsChecks"/>); an edge opens no link listener, so only the peers' links decide whether TLS is needed.
/// </summary>
public sealed class EdgeRegionOptionsValidator : IValidateOptions<RegionOptions>
{
    public ValidateOptionsResult Validate(string? name, RegionOptions options)
    {
        var problems = new List<string>();
        if (!RegionOptionsChecks.Peers(options, problems))
        {
            return RegionOptionsChecks.Result(problems);
        }

        RegionOptionsChecks.Tls(options, options.Peers.Values.Select(p => p.Link), problems);
        RegionOptionsChecks.Timeouts(options, problems);
        return RegionOptionsChecks.Result(problems);
    }
}
