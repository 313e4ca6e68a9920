using Microsoft.Extensions.Options;

namespace Turnpike.RateLimiting;

internal sealed class RateLimitCounterOptionsValidator : IValidateOptions<RateLimitCounterOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitCounterOptions options)
    {
        const string S = RateLimitCounterOptions.Section;
        List<string> problems = [];
        if (options.MaxLeaseDuration <= TimeSpan.Zero)
        {
            problems.Add($"{S}:MaxLeaseDuration must be positive");
        }

        if (options.RegionLeaseHorizon <= TimeSpan.Zero || options.RegionMaxLeaseDuration <= TimeSpan.Zero || options.HomeWait <= TimeSpan.Zero || options.HomeRetryInterval <= TimeSpan.Zero)
        {
            problems.Add($"{S}:RegionLeaseHorizon, {S}:RegionMaxLeaseDuration, {S}:HomeWait and {S}:HomeRetryInterval must be positive");
        }

        if (options.RegionMaxLease < 1)
        {
            problems.Add($"{S}:RegionMaxLease must be at least 1");
        }

        if (options.PartitionShare is { } share && !(share >= 0 && share <= 1))
        {
            problems.Add($"{S}:PartitionShare must be between 0 and 1 (the share of a limit a region cut off from home admits; 0 admits nothing)");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
