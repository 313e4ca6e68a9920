using Microsoft.Extensions.Options;

namespace Turnpike.Edge.RateLimiting;

internal sealed class QuotaOptionsValidator : IValidateOptions<QuotaOptions>
{
    public ValidateOptionsResult Validate(string? name, QuotaOptions options) =>
        options.LeaseHorizon > TimeSpan.Zero && options.MaxLease > 0 && options.CallTimeout > TimeSpan.Zero && options.SweepInterval > TimeSpan.Zero
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{QuotaOptions.Section}: LeaseHorizon, MaxLease, CallTimeout and SweepInterval must be positive");
}
