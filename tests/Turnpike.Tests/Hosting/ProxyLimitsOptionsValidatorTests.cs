using Turnpike.Edge.Hosting;
using Xunit;

namespace Turnpike.Tests.Hosting;

[Fast]
public sealed class ProxyLimitsOptionsValidatorTests
{
    private readonly ProxyLimitsOptionsValidator _validator = new();

    [Fact]
    public void Defaults_are_valid() => Assert.True(_validator.Validate(null, new ProxyLimitsOptions()).Succeeded);

    [Fact]
    public void No_body_limit_and_no_data_rates_are_valid() =>
        Assert.True(_validator.Validate(null, new ProxyLimitsOptions { MaxRequestBodySize = 0, MinRequestBodyDataRate = 0, MinResponseDataRate = 0 }).Succeeded);

    // Keyed by the property set: the options type is internal, so it cannot be a public test's parameter.
    private static readonly Dictionary<string, ProxyLimitsOptions> Invalid = new()
    {
        ["MaxConcurrentConnections"] = new() { MaxConcurrentConnections = 0 },
        ["MaxRequestLineSize"] = new() { MaxRequestLineSize = 255 },
        ["MaxRequestHeadersTotalSize"] = new() { MaxRequestHeadersTotalSize = 1023 },
        ["MaxRequestHeaderCount"] = new() { MaxRequestHeaderCount = 0 },
        ["MaxRequestBodySize"] = new() { MaxRequestBodySize = -1 },
        ["RequestHeadersTimeout"] = new() { RequestHeadersTimeout = TimeSpan.Zero },
        ["KeepAliveTimeout"] = new() { KeepAliveTimeout = TimeSpan.Zero },
        ["HandshakeTimeout"] = new() { HandshakeTimeout = TimeSpan.Zero },
        ["MinResponseDataRate"] = new() { MinResponseDataRate = -1 },
        ["MinDataRateGracePeriod"] = new() { MinDataRateGracePeriod = TimeSpan.FromSeconds(1) },
        ["Http2MaxStreamsPerConnection"] = new() { Http2MaxStreamsPerConnection = 0 },
        ["Http2InitialStreamWindowSize"] = new() { Http2InitialStreamWindowSize = 65_534 },
        ["Http2InitialConnectionWindowSize"] = new() { Http2InitialConnectionWindowSize = 65_534 },
        ["Http2HeaderTableSize"] = new() { Http2HeaderTableSize = -1 },
    };

    [Theory]
    [InlineData("MaxConcurrentConnections", "Turnpike:Proxy:Limits:MaxConcurrentConnections must be positive.")]
    [InlineData("MaxRequestLineSize", "Turnpike:Proxy:Limits:MaxRequestLineSize must be at least 256.")]
    [InlineData("MaxRequestHeadersTotalSize", "Turnpike:Proxy:Limits:MaxRequestHeadersTotalSize must be at least 1024.")]
    [InlineData("MaxRequestHeaderCount", "Turnpike:Proxy:Limits:MaxRequestHeaderCount must be positive.")]
    [InlineData("MaxRequestBodySize", "Turnpike:Proxy:Limits:MaxRequestBodySize must be 0 (no limit) or positive.")]
    [InlineData("RequestHeadersTimeout", "Turnpike:Proxy:Limits:RequestHeadersTimeout must be positive.")]
    [InlineData("KeepAliveTimeout", "Turnpike:Proxy:Limits:KeepAliveTimeout must be positive.")]
    [InlineData("HandshakeTimeout", "Turnpike:Proxy:Limits:HandshakeTimeout must be positive and at most 10 minutes.")]
    [InlineData("MinResponseDataRate", "Turnpike:Proxy:Limits:MinRequestBodyDataRate data rates must be 0 (off) or positive.")]
    [InlineData("MinDataRateGracePeriod", "Turnpike:Proxy:Limits:MinDataRateGracePeriod must be more than one second (Kestrel's rule).")]
    [InlineData("Http2MaxStreamsPerConnection", "Turnpike:Proxy:Limits:Http2MaxStreamsPerConnection must be positive.")]
    [InlineData("Http2InitialStreamWindowSize", "Turnpike:Proxy:Limits:Http2InitialStreamWindowSize must be at least 65535.")]
    [InlineData("Http2InitialConnectionWindowSize", "Turnpike:Proxy:Limits:Http2InitialConnectionWindowSize must be at least 65535.")]
    [InlineData("Http2HeaderTableSize", "Turnpike:Proxy:Limits:Http2HeaderTableSize must not be negative.")]
    public void Each_limit_that_makes_no_sense_is_refused_naming_its_key(string setting, string message) =>
        Assert.Equal([message], _validator.Validate(null, Invalid[setting]).Failures);

    [Fact]
    public void Several_bad_limits_are_all_named()
    {
        var result = _validator.Validate(null, new ProxyLimitsOptions { MaxConcurrentConnections = 0, Http2HeaderTableSize = -1 });

        Assert.Equal(2, result.Failures!.Count());
    }
}
