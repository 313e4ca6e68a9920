using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.EndToEnd;

/// <summary>A target named by DNS: resolved against a real DNS server on loopback and followed as its records change.</summary>
public sealed class ServiceDiscoveryTests
{
    [Fact]
    public async Task A_target_named_by_dns_becomes_one_endpoint_per_address_and_follows_the_records_as_their_ttl_runs_out()
    {
        await using var dns = new TestDnsServer();
        var port = FreePorts.Next();
        await using var first = await UpstreamServer.StartAsync(port, IPAddress.Parse("127.0.0.1"));
        await using var second = await UpstreamServer.StartAsync(port, IPAddress.Parse("127.0.0.2"));
        dns.Set("orders.test", ttl: 1, IPAddress.Parse("127.0.0.1"));
        await using var edge = await EdgeNode.StartDevAsync($"--Turnpike:Dns:Servers={dns.Endpoint}");

        Assert.Equal(201, (await edge.Admin.PostJsonAsync("/upstreams", new { name = "orders.internal" })).Status);
        Assert.Equal(201, (await edge.Admin.PostJsonAsync("/upstreams/orders.internal/targets", new { target = $"orders.test:{port}" })).Status);
        Assert.Equal(201, (await edge.Admin.PostJsonAsync("/services", new { name = "orders", host = "orders.internal" })).Status);
        Assert.Equal(201, (await edge.Admin.PostJsonAsync("/services/orders/routes", new { paths = new[] { "/orders" } })).Status);

        async Task<HashSet<string>> AnsweringAsync()
        {
            var answered = new HashSet<string>();
            for (var i = 0; i < 20; i++)
            {
                using var response = await edge.Proxy.GetAsync("/orders");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var echo = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
                Assert.Equal($"orders.test:{port}", echo["host"]!.GetValue<string>()); // Kong's Host for a target: its name, not its address
                answered.Add(echo["local"]!.GetValue<string>());
            }

            return answered;
        }

        async Task EventuallyAnsweringAsync(params string[] expected)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            HashSet<string> seen;
            while (!(seen = await AnsweringAsync()).SetEquals(expected))
            {
                Assert.True(DateTime.UtcNow < deadline, $"answered by {string.Join(", ", seen)}, expected {string.Join(", ", expected)}");
                await Task.Delay(200);
            }
        }

        using (var ready = await edge.Proxy.EventuallyAsync("/orders", r => r.StatusCode == HttpStatusCode.OK))
        {
        }

        await EventuallyAnsweringAsync($"127.0.0.1:{port}");

        // A second address: a second endpoint, once the 1 s TTL has run out.
        dns.Set("orders.test", ttl: 1, IPAddress.Parse("127.0.0.1"), IPAddress.Parse("127.0.0.2"));
        await EventuallyAnsweringAsync($"127.0.0.1:{port}", $"127.0.0.2:{port}");

        // The first address goes away: so does its endpoint.
        dns.Set("orders.test", ttl: 1, IPAddress.Parse("127.0.0.2"));
        await EventuallyAnsweringAsync($"127.0.0.2:{port}");
    }
}
