using Turnpike.Edge.Hosting;
using Xunit;

namespace Turnpike.Tests.Hosting;

[Fast]
public sealed class AdminListenerOptionsValidatorTests
{
    private readonly AdminListenerOptionsValidator _validator = new();

    [Theory]
    [InlineData(1024)]
    [InlineData(AdminListenerOptions.DefaultMaxBodySize)]
    [InlineData(AdminListenerOptions.MaxAllowedBodySize)]
    public void Sizes_within_range_are_valid(long size) =>
        Assert.True(_validator.Validate(null, new AdminListenerOptions { MaxBodySize = size }).Succeeded);

    [Theory]
    [InlineData(0)]
    [InlineData(1023)]
    [InlineData(AdminListenerOptions.MaxAllowedBodySize + 1)]
    public void Sizes_out_of_range_are_refused_naming_the_key_and_the_value(long size)
    {
        var failure = Assert.Single(_validator.Validate(null, new AdminListenerOptions { MaxBodySize = size }).Failures!);

        Assert.Equal($"Turnpike:Admin:MaxBodySize must be between 1024 and 1073741824 bytes (got {size}).", failure);
    }
}
