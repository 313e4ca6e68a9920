using System.Net;
using Turnpike.Edge.Plugins.IpRestriction;
using Xunit;

namespace Turnpike.Tests.Plugins;

[Fast]
public sealed class IpRangeTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.255.1.2", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("192.168.1.7", "192.168.1.7", true)]
    [InlineData("192.168.1.7", "192.168.1.8", false)]
    [InlineData("192.168.1.0/25", "192.168.1.127", true)]
    [InlineData("192.168.1.0/25", "192.168.1.128", false)]
    [InlineData("0.0.0.0/0", "203.0.113.9", true)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", true)]
    [InlineData("10.0.0.0/8", "::1", false)]
    public void Range_contains_the_addresses_of_its_block(string range, string address, bool expected) =>
        Assert.Equal(expected, IpRange.Parse(range).Range!.Contains(IPAddress.Parse(address)));

    [Theory]
    [InlineData("300.1.1.1")]
    [InlineData("10.0.0.0/33")]
    [InlineData("2001:db8::/129")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("example.com")]
    [InlineData("")]
    public void Anything_but_an_address_or_cidr_is_refused_with_Kongs_message(string text) =>
        Assert.Equal($"invalid ip or cidr range: '{text}'", IpRange.Parse(text).Error);
}
