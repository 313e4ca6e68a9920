using Turnpike.Edge.RateLimiting;
using Xunit;

namespace Turnpike.Tests.Hosting;

[Fast]
public sealed class QuotaOptionsValidatorTests
{
    private const string Message = "Turnpike:Quota: LeaseHorizon, MaxLease, CallTimeout and SweepInterval must be positive";
    private readonly QuotaOptionsValidator _validator = new();

    [Fact]
    public void Defaults_are_valid() => Assert.True(_validator.Validate(null, new QuotaOptions()).Succeeded);

    // Keyed by name: the options type is internal, so it cannot be a public test's parameter.
    private static readonly Dictionary<string, QuotaOptions> Invalid = new()
    {
        ["LeaseHorizon"] = new() { LeaseHorizon = TimeSpan.Zero },
        ["MaxLease"] = new() { MaxLease = 0 },
        ["CallTimeout"] = new() { CallTimeout = TimeSpan.FromSeconds(-1) },
        ["SweepInterval"] = new() { SweepInterval = TimeSpan.Zero },
    };

    [Theory]
    [InlineData("LeaseHorizon")]
    [InlineData("MaxLease")]
    [InlineData("CallTimeout")]
    [InlineData("SweepInterval")]
    public void Each_non_positive_setting_is_refused_with_the_documented_message(string setting) =>
        Assert.Equal([Message], _validator.Validate(null, Invalid[setting]).Failures);

    [Fact]
    public void A_zero_unreachable_backoff_is_allowed() =>
        Assert.True(_validator.Validate(null, new QuotaOptions { UnreachableBackoff = TimeSpan.Zero }).Succeeded);
}
