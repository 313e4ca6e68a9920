using Microsoft.Extensions.Options;

namespace Turnpike.Edge.Observability;

internal sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options) =>
        options.MaxSeries is >= 1 and <= 1_000_000
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{MetricsOptions.Section}:MaxSeries must be between 1 and 1000000");
}
