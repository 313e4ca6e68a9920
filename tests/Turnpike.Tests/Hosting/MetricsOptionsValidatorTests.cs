using Turnpike.Edge.Observability;
using Xunit;

namespace Turnpike.Tests.Hosting;

[Fast]
public sealed class MetricsOptionsValidatorTests
{
    private readonly MetricsOptionsValidator _validator = new();

    [Fact]
    public void Defaults_are_valid() => Assert.True(_validator.Validate(null, new MetricsOptions()).Succeeded);

    [Theory]
    [InlineData(0)]
    [InlineData(1_000_001)]
    public void Max_series_out_of_range_is_refused_with_its_key(int maxSeries) =>
        Assert.Equal(["Turnpike:Metrics:MaxSeries must be between 1 and 1000000"], _validator.Validate(null, new MetricsOptions { MaxSeries = maxSeries }).Failures);

    [Theory]
    [InlineData(1)]
    [InlineData(1_000_000)]
    public void Max_series_at_either_bound_is_allowed(int maxSeries) =>
        Assert.True(_validator.Validate(null, new MetricsOptions { MaxSeries = maxSeries }).Succeeded);
}
