using Turnpike.Regions;
using Xunit;

namespace Turnpike.Tests.Hosting;

[Fast]
public sealed class RegionOptionsValidatorTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef";

    private static RegionOptions TwoRegions(Action<RegionOptions>? change = null)
    {
        var options = new RegionOptions
        {
            Name = "eu",
            Home = "us",
            Secret = Secret,
            Link = new RegionLinkListenerOptions { Urls = "http://127.0.0.1:7000" },
            Peers = new() { ["us"] = new RegionPeerOptions { Link = "http://10.0.0.1:7000;http://10.0.0.2:7000" } },
        };
        change?.Invoke(options);
        return options;
    }

    [Fact]
    public void A_single_region_needs_no_setting() =>
        Assert.True(new SiloRegionOptionsValidator().Validate(null, new RegionOptions()).Succeeded);

    [Fact]
    public void Two_regions_with_home_secret_and_links_are_valid()
    {
        Assert.True(new SiloRegionOptionsValidator().Validate(null, TwoRegions()).Succeeded);
        Assert.True(new EdgeRegionOptionsValidator().Validate(null, TwoRegions(o => o.Link.Urls = "")).Succeeded);
    }

    [Fact]
    public void A_home_that_is_no_region_is_refused_naming_it_and_the_regions()
    {
        var failure = Assert.Single(new EdgeRegionOptionsValidator().Validate(null, TwoRegions(o => o.Home = "ap")).Failures!);

        Assert.Equal("Turnpike:Regions:Home names region 'ap', which is neither this region ('eu') nor one of Turnpike:Regions:Peers (us).", failure);
    }

    [Fact]
    public void A_missing_secret_is_refused()
    {
        var failure = Assert.Single(new EdgeRegionOptionsValidator().Validate(null, TwoRegions(o => o.Secret = null)).Failures!);

        Assert.StartsWith("Turnpike:Regions:Secret is required with Turnpike:Regions:Peers", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_secret_is_refused() =>
        Assert.Contains("at least 32", Assert.Single(new EdgeRegionOptionsValidator().Validate(null, TwoRegions(o => o.Secret = "short")).Failures!), StringComparison.Ordinal);

    [Fact]
    public void A_silo_without_a_link_listener_is_refused_but_an_edge_needs_none()
    {
        Assert.StartsWith("Turnpike:Regions:Link:Urls is required", Assert.Single(new SiloRegionOptionsValidator().Validate(null, TwoRegions(o => o.Link.Urls = "")).Failures!), StringComparison.Ordinal);
        Assert.True(new EdgeRegionOptionsValidator().Validate(null, TwoRegions(o => o.Link.Urls = "")).Succeeded);
    }

    [Theory]
    [InlineData("EU")]
    [InlineData("eu\r\nX-Injected: 1")]
    [InlineData("")]
    [InlineData("-eu")]
    public void A_region_name_that_is_not_a_dns_label_is_refused(string name)
    {
        var failure = Assert.Single(new EdgeRegionOptionsValidator().Validate(null, TwoRegions(o => o.Name = name)).Failures!);

        Assert.StartsWith("Turnpike:Region '", failure, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', failure);
    }

    [Theory]
    [InlineData("us.example:7000")]
    [InlineData("http://10.0.0.1:7000/path")]
    [InlineData("")]
    public void A_peer_link_that_is_not_an_http_endpoint_is_refused(string link)
    {
        var failure = Assert.Single(new EdgeRegionOptionsValidator().Validate(null, TwoRegions(o => o.Peers["us"].Link = link)).Failures!);

        Assert.StartsWith("Turnpike:Regions:Peers:us:Link must be", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void An_https_link_without_the_tls_settings_is_refused_naming_them()
    {
        var failure = Assert.Single(new EdgeRegionOptionsValidator().Validate(null, TwoRegions(o => o.Peers["us"].Link = "https://10.0.0.1:7000")).Failures!);

        Assert.Equal(
            "Turnpike:Regions:Tls: an https:// link needs Certificate, Key and Ca (PEM files: this process's certificate, its key, and the CA the regions' link certificates are issued by).",
            failure);
    }

    [Fact]
    public void Tls_settings_naming_files_that_do_not_load_are_refused_naming_the_files()
    {
        var failure = Assert.Single(new SiloRegionOptionsValidator().Validate(null, TwoRegions(o => o.Tls = new RegionLinkTlsOptions { Certificate = "/nonexistent/cert.pem", Key = "/nonexistent/key.pem", Ca = "/nonexistent/ca.pem" })).Failures!);

        Assert.StartsWith("Turnpike:Regions:Tls: could not load Certificate '/nonexistent/cert.pem', Key '/nonexistent/key.pem' or Ca '/nonexistent/ca.pem': ", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void This_region_listed_among_its_peers_is_refused() =>
        Assert.Contains(
            new EdgeRegionOptionsValidator().Validate(null, TwoRegions(o => o.Peers["eu"] = new RegionPeerOptions { Link = "http://127.0.0.1:7001" })).Failures!,
            f => f == "Turnpike:Regions:Peers:eu is this region (Turnpike:Region); list only the other regions.");
}
