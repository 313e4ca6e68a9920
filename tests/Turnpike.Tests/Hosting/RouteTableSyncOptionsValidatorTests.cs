using Turnpike.Edge.Hosting;
using Turnpike.Edge.RouteTable;
using Turnpike.RouteTable;
using Xunit;

namespace Turnpike.Tests.Hosting;

[Fast]
public sealed class RouteTableSyncOptionsValidatorTests
{
    private readonly RouteTableSyncOptionsValidator _validator = new();

    [Fact]
    public void Defaults_are_valid() => Assert.True(_validator.Validate(null, new EdgeOptions()).Succeeded);

    [Fact]
    public void A_retry_cap_below_the_first_retry_is_refused_naming_the_keys()
    {
        var options = new EdgeOptions { Sync = new RouteTableSyncOptions { RetryInitialDelay = TimeSpan.FromSeconds(2), RetryMaxDelay = TimeSpan.FromSeconds(1) } };

        Assert.Equal(["Turnpike:Sync: RetryMaxDelay must be at least RetryInitialDelay"], _validator.Validate(null, options).Failures);
    }

    [Fact]
    public void A_notification_spread_as_long_as_the_poll_interval_is_refused()
    {
        var options = new EdgeOptions { Sync = new RouteTableSyncOptions { PollInterval = TimeSpan.FromSeconds(1), NotificationSpread = TimeSpan.FromSeconds(1) } };

        Assert.Equal(["Turnpike:Sync: NotificationSpread must be between 0 and PollInterval"], _validator.Validate(null, options).Failures);
    }

    [Fact]
    public void The_route_tables_load_retries_must_be_at_least_one_attempt()
    {
        Assert.True(new RouteTableOptionsValidator().Validate(null, new RouteTableOptions()).Succeeded);
        Assert.False(new RouteTableOptionsValidator().Validate(null, new RouteTableOptions { LoadAttempts = 0 }).Succeeded);
    }
}
