using Turnpike.Edge.Plugins.ProxyCache;
using Xunit;

namespace Turnpike.Tests.Hosting;

[Fast]
public sealed class ProxyCacheOptionsValidatorTests
{
    private readonly ProxyCacheOptionsValidator _validator = new();

    [Fact]
    public void Defaults_are_valid() => Assert.True(_validator.Validate(null, new ProxyCacheOptions()).Succeeded);

    // Keyed by name: the options type is internal, so it cannot be a public test's parameter.
    private static readonly Dictionary<string, ProxyCacheOptions> Invalid = new()
    {
        ["MemorySize"] = new() { MemorySize = 65L * 1024 * 1024 * 1024 },
        ["MaxEntrySize"] = new() { MaxEntrySize = 200L * 1024 * 1024 },
        ["PurgePollInterval"] = new() { PurgePollInterval = TimeSpan.FromMinutes(2) },
        ["CollapseWait"] = new() { CollapseWait = TimeSpan.Zero },
    };

    [Theory]
    [InlineData("MemorySize", "Turnpike:ProxyCache:MemorySize must be between 1 MiB and 64 GiB")]
    [InlineData("MaxEntrySize", "Turnpike:ProxyCache:MaxEntrySize must be at least 1 KiB and at most MemorySize")]
    [InlineData("PurgePollInterval", "Turnpike:ProxyCache:PurgePollInterval must be positive and at most a minute")]
    [InlineData("CollapseWait", "Turnpike:ProxyCache:CollapseWait must be positive and at most five minutes")]
    public void Each_setting_out_of_range_is_refused_with_its_key(string setting, string message) =>
        Assert.Equal([message], _validator.Validate(null, Invalid[setting]).Failures);

    [Fact]
    public void Every_problem_is_reported_at_once() =>
        Assert.Equal(2, _validator.Validate(null, new ProxyCacheOptions { MaxEntrySize = 10, CollapseWait = TimeSpan.FromMinutes(6) }).Failures!.Count());
}
