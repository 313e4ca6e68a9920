using Turnpike.Edge.Plugins.OAuth2;
using Xunit;

namespace Turnpike.Tests.Hosting;

[Fast]
public sealed class OAuth2OptionsValidatorTests
{
    private readonly OAuth2OptionsValidator _validator = new();

    [Fact]
    public void Defaults_are_valid() => Assert.True(_validator.Validate(null, new OAuth2Options()).Succeeded);

    // Keyed by name: the options type is internal, so it cannot be a public test's parameter.
    private static readonly Dictionary<string, OAuth2Options> Invalid = new()
    {
        ["MaxCachedTokens"] = new() { MaxCachedTokens = 99 },
        ["UnknownTokenTime"] = new() { UnknownTokenTime = TimeSpan.FromSeconds(-1) },
        ["RevocationPollInterval"] = new() { RevocationPollInterval = TimeSpan.Zero },
        ["MaxParameterBodySize"] = new() { MaxParameterBodySize = 17 * 1024 * 1024 },
    };

    [Theory]
    [InlineData("MaxCachedTokens", "Turnpike:OAuth2:MaxCachedTokens must be between 100 and 100000000")]
    [InlineData("UnknownTokenTime", "Turnpike:OAuth2:UnknownTokenTime must be between 0 and ten minutes")]
    [InlineData("RevocationPollInterval", "Turnpike:OAuth2:RevocationPollInterval must be positive and at most a minute")]
    [InlineData("MaxParameterBodySize", "Turnpike:OAuth2:MaxParameterBodySize must be between 1 KiB and 16 MiB")]
    public void Each_setting_out_of_range_is_refused_with_its_key(string setting, string message) =>
        Assert.Equal([message], _validator.Validate(null, Invalid[setting]).Failures);

    [Fact]
    public void Unknown_tokens_may_be_looked_up_every_time() =>
        Assert.True(_validator.Validate(null, new OAuth2Options { UnknownTokenTime = TimeSpan.Zero }).Succeeded);
}
