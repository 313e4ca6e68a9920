using Microsoft.Extensions.Options;

namespace Turnpike.RouteTable;

internal sealed class RouteTableOptionsValidator : IValidateOptions<RouteTableOptions>
{
    public ValidateOptionsResult Validate(string? name, RouteTableOptions options) =>
        options.LoadAttempts >= 1 && options.LoadRetryDelay > TimeSpan.Zero && options.EdgeExpiry > TimeSpan.Zero && options.ChangeLogCapacity >= 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{RouteTableOptions.Section}: LoadAttempts must be at least 1, LoadRetryDelay and EdgeExpiry positive, ChangeLogCapacity not negative");
}
