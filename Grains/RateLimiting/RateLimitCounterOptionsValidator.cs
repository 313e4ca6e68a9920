using Microsoft.Extensions.Options;

namespace Turnpike.RateLimiting;

internal sealed class RateLimitCounterOptionsValidator : IValidateOptions<RateLimitCounterOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitCounterOptions options) =>
        options.MaxLeaseDuration > TimeSpan.Zero
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{RateLimitCounterOptions.Section}:MaxLeaseDuration must be positive");
}
