using Microsoft.Extensions.Options;

namespace Turnpike.Edge.Hosting;

internal sealed class AdminListenerOptionsValidator : IValidateOptions<AdminListenerOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminListenerOptions options) =>
        options.MaxBodySize is < 1024 or > AdminListenerOptions.MaxAllowedBodySize
            ? ValidateOptionsResult.Fail($"{AdminListenerOptions.Section}:MaxBodySize must be between 1024 and {AdminListenerOptions.MaxAllowedBodySize} bytes (got {options.MaxBodySize}).")
            : ValidateOptionsResult.Success;
}
