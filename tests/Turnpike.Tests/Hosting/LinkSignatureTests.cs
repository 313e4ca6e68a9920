using System.Text;
using Turnpike.Regions;
using Xunit;

namespace Turnpike.Tests.Hosting;

[Fast]
public sealed class LinkSignatureTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private static readonly string[] Peers = ["eu"];

    private static string? Check(string? region, long time, string? signature, string path = "/link/v1/route-table/write", string body = "write", string secret = Secret) =>
        LinkSignature.Check(secret, Peers, region, time.ToString(System.Globalization.CultureInfo.InvariantCulture), signature, "POST", path, Encoding.UTF8.GetBytes(body), Now, TimeSpan.FromMinutes(5));

    private static string Sign(long time, string body = "write", string secret = Secret, string region = "eu") =>
        LinkSignature.Sign(secret, region, time, "POST", "/link/v1/route-table/write", Encoding.UTF8.GetBytes(body));

    [Fact]
    public void A_request_signed_with_the_shared_secret_is_accepted() =>
        Assert.Null(Check("eu", Now.ToUnixTimeSeconds(), Sign(Now.ToUnixTimeSeconds())));

    [Fact]
    public void A_request_signed_with_another_secret_is_refused_naming_the_setting() =>
        Assert.Equal(
            "link signature from region 'eu' does not match: the regions' Turnpike:Regions:Secret differ",
            Check("eu", Now.ToUnixTimeSeconds(), Sign(Now.ToUnixTimeSeconds(), secret: Secret + "x")));

    [Fact]
    public void A_changed_body_or_path_breaks_the_signature()
    {
        var signature = Sign(Now.ToUnixTimeSeconds());
        Assert.NotNull(Check("eu", Now.ToUnixTimeSeconds(), signature, body: "other"));
        Assert.NotNull(Check("eu", Now.ToUnixTimeSeconds(), signature, path: "/link/v1/route-table/changes"));
    }

    [Fact]
    public void A_region_that_is_not_a_peer_is_refused_by_name() =>
        Assert.Equal("region 'ap' is not a peer of this region (Turnpike:Regions:Peers)", Check("ap", Now.ToUnixTimeSeconds(), Sign(Now.ToUnixTimeSeconds(), region: "ap")));

    [Fact]
    public void A_clock_skewed_past_the_bound_is_refused_stating_the_skew()
    {
        var early = Now.ToUnixTimeSeconds() - 301;

        Assert.Equal(
            "link request time is 301 s behind this region's clock (at most 300 s allowed): check the clocks of region 'eu'",
            Check("eu", early, Sign(early)));
        Assert.Null(Check("eu", Now.ToUnixTimeSeconds() + 299, Sign(Now.ToUnixTimeSeconds() + 299)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64 at all")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void A_missing_or_malformed_signature_is_refused(string? signature) =>
        Assert.NotNull(Check("eu", Now.ToUnixTimeSeconds(), signature));
}
