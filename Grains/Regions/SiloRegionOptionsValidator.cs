using Microsoft.Extensions.Options;

namespace Turnpike.Regions;

/// <summary>
/// Every problem with <c>Turnpike:Regions</c> on a silo, phrased for an operator: the shared checks
/// (<see cref="RegionOptionsChecks"/>) and the link listener only a silo opens (its URLs, and TLS when they are https).
/// </summary>
public sealed class SiloRegionOptionsValidator : IValidateOptions<RegionOptions>
{
    public ValidateOptionsResult Validate(string? name, RegionOptions options)
    {
        var problems = new List<string>();
        if (!RegionOptionsChecks.Peers(options, problems))
        {
            return RegionOptionsChecks.Result(problems);
        }

        if (!RegionOptionsChecks.ValidLinks(options.Link.Urls))
        {
            problems.Add($"{RegionOptions.Section}:Link:Urls is required on a silo with {RegionOptions.Section}:Peers: the link listener(s), http:// or https://address:port separated by ';'.");
        }

        RegionOptionsChecks.Tls(options, options.Peers.Values.Select(p => p.Link).Append(options.Link.Urls), problems);
        RegionOptionsChecks.Timeouts(options, problems);
        return RegionOptionsChecks.Result(problems);
    }
}
