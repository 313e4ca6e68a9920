using Turnpike.Edge.Upstreams;
using Xunit;

namespace Turnpike.Tests.Hosting;

[Fast]
public sealed class DnsOptionsValidatorTests
{
    private readonly DnsOptionsValidator _validator = new();

    [Fact]
    public void Defaults_are_valid() => Assert.True(_validator.Validate(null, new DnsOptions()).Succeeded);

    [Theory]
    [InlineData(0, 5)]
    [InlineData(1, 0)]
    [InlineData(-1, 5)]
    public void Non_positive_times_are_refused_naming_the_section(int minTtlSeconds, int retrySeconds)
    {
        var result = _validator.Validate(null, new DnsOptions { MinTtl = TimeSpan.FromSeconds(minTtlSeconds), RetryAfterFailure = TimeSpan.FromSeconds(retrySeconds) });

        Assert.Equal(["Turnpike:Dns: MinTtl and RetryAfterFailure must be positive"], result.Failures);
    }
}
