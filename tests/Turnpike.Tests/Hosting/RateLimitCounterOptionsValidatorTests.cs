using Turnpike.RateLimiting;
using Xunit;

namespace Turnpike.Tests.Hosting;

[Fast]
public sealed class RateLimitCounterOptionsValidatorTests
{
    private readonly RateLimitCounterOptionsValidator _validator = new();

    [Fact]
    public void Defaults_are_valid() => Assert.True(_validator.Validate(null, new RateLimitCounterOptions()).Succeeded);

    [Fact]
    public void A_non_positive_lease_duration_is_refused_naming_the_key() =>
        Assert.Equal(
            ["Turnpike:RateLimiting:MaxLeaseDuration must be positive"],
            _validator.Validate(null, new RateLimitCounterOptions { MaxLeaseDuration = TimeSpan.Zero }).Failures);
}
