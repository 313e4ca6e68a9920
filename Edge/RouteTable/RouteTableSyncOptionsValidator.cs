using Microsoft.Extensions.Options;
using Turnpike.Edge.Hosting;

namespace Turnpike.Edge.RouteTable;

/// <summary>Checks <c>Turnpike:Sync</c> at start: the poll and retry times the sync loop waits on.</summary>
internal sealed class RouteTableSyncOptionsValidator : IValidateOptions<EdgeOptions>
{
    public ValidateOptionsResult Validate(string? name, EdgeOptions options)
    {
        var sync = options.Sync;
        if (sync.PollInterval <= TimeSpan.Zero || sync.RetryInitialDelay <= TimeSpan.Zero)
        {
            return ValidateOptionsResult.Fail("Turnpike:Sync: PollInterval and RetryInitialDelay must be positive");
        }

        if (sync.RetryMaxDelay < sync.RetryInitialDelay)
        {
            return ValidateOptionsResult.Fail("Turnpike:Sync: RetryMaxDelay must be at least RetryInitialDelay");
        }

        return sync.NotificationSpread < TimeSpan.Zero || sync.NotificationSpread >= sync.PollInterval
            ? ValidateOptionsResult.Fail("Turnpike:Sync: NotificationSpread must be between 0 and PollInterval")
            : ValidateOptionsResult.Success;
    }
}
