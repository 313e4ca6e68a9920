using Microsoft.Extensions.Options;

namespace Turnpike.Edge.Upstreams;

internal sealed class DnsOptionsValidator : IValidateOptions<DnsOptions>
{
    public ValidateOptionsResult Validate(string? name, DnsOptions options) =>
        options.MinTtl > TimeSpan.Zero && options.RetryAfterFailure > TimeSpan.Zero
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{DnsOptions.Section}: MinTtl and RetryAfterFailure must be positive");
}
