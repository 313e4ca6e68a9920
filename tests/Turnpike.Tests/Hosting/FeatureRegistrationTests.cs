using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Metering;
using Turnpike.Edge.RateLimiting;
using Turnpike.Edge.Upstreams;
using Xunit;

namespace Turnpike.Tests.Hosting;

/// <summary>The feature registrations wire each options type to its validator, so a bad setting fails when the options are read.</summary>
[Fast]
public sealed class FeatureRegistrationTests
{
    [Fact]
    public void Quota_options_are_validated_by_their_validator()
    {
        using var provider = Services("Turnpike:Quota:MaxLease", "0").AddTurnpikeQuota().BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<QuotaOptions>>().Value);
        Assert.Equal(["Turnpike:Quota: LeaseHorizon, MaxLease, CallTimeout and SweepInterval must be positive"], ex.Failures);
    }

    [Fact]
    public void Metering_options_are_validated_by_their_validator()
    {
        using var provider = Services("Turnpike:Metering:JournalDirectory", "").AddTurnpikeMetering().BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MeteringOptions>>().Value);
    }

    [Fact]
    public void Dns_options_are_validated_by_their_validator()
    {
        using var provider = Services("Turnpike:Dns:MinTtl", "00:00:00").AddTurnpikeUpstreams().BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DnsOptions>>().Value);
    }

    private static ServiceCollection Services(string key, string value)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build());
        return services;
    }
}
