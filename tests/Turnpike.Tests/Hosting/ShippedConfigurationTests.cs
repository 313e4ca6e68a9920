using System.Net;
using Microsoft.Extensions.Configuration;
using Turnpike.Edge.Hosting;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hosting;

/// <summary>
/// What <c>Edge/appsettings.json</c> as shipped makes the edge listen on: the README's "Try it" runs against exactly
/// this. Tests never bind these ports: the harness sets every listener's URLs itself.
/// </summary>
[Fast]
public sealed class ShippedConfigurationTests
{
    private static EdgeOptions Shipped() =>
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(RepoPaths.Root, "Edge", "appsettings.json"), optional: false)
            .Build()
            .GetSection(EdgeOptions.Section)
            .Get<EdgeOptions>()!;

    [Fact]
    public void Shipped_proxy_listens_on_Kongs_pair_8000_plain_and_8443_tls()
    {
        var endpoints = ListenerUrls.Parse(Shipped().Proxy.Urls, "Turnpike:Proxy:Urls", allowH2c: true);

        Assert.Equal(
            [(new IPEndPoint(IPAddress.Loopback, 8000), "Http"), (new IPEndPoint(IPAddress.Loopback, 8443), "Https")],
            endpoints.Select(e => (e.EndPoint, e.Transport.ToString())).ToArray());
    }

    [Fact]
    public void Shipped_proxy_urls_are_the_documented_default()
    {
        Assert.Equal(new EdgeOptions().Proxy.Urls, Shipped().Proxy.Urls);
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        Assert.Contains($"| `Turnpike:Proxy:Urls` | `{new EdgeOptions().Proxy.Urls}` |", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Shipped_admin_and_status_listen_on_loopback_8001_and_8100()
    {
        var shipped = Shipped();
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8001), Assert.Single(ListenerUrls.Parse(shipped.Admin.Urls, "Turnpike:Admin:Urls")).EndPoint);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8100), Assert.Single(ListenerUrls.Parse(shipped.Status.Urls, "Turnpike:Status:Urls")).EndPoint);
    }
}
