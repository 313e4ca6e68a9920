using Turnpike.Edge.Metering;
using Xunit;

namespace Turnpike.Tests.Hosting;

[Fast]
public sealed class MeteringOptionsValidatorTests
{
    private const string Message = "Turnpike:Metering: FlushInterval must be positive and JournalDirectory set";
    private readonly MeteringOptionsValidator _validator = new();

    [Fact]
    public void Defaults_are_valid() => Assert.True(_validator.Validate(null, new MeteringOptions()).Succeeded);

    [Fact]
    public void A_zero_stop_timeout_is_allowed() =>
        Assert.True(_validator.Validate(null, new MeteringOptions { StopTimeout = TimeSpan.Zero }).Succeeded);

    // Keyed by name: the options type is internal, so it cannot be a public test's parameter.
    private static readonly Dictionary<string, MeteringOptions> Invalid = new()
    {
        ["FlushInterval"] = new() { FlushInterval = TimeSpan.Zero },
        ["JournalDirectory"] = new() { JournalDirectory = " " },
        ["StopTimeout"] = new() { StopTimeout = TimeSpan.FromSeconds(-1) },
    };

    [Theory]
    [InlineData("FlushInterval")]
    [InlineData("JournalDirectory")]
    [InlineData("StopTimeout")]
    public void Bad_settings_are_refused_with_the_documented_message(string setting) =>
        Assert.Equal([Message], _validator.Validate(null, Invalid[setting]).Failures);
}
