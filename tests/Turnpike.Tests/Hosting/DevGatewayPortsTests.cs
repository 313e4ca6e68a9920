using System.Net;
using System.Net.Sockets;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hosting;

/// <summary><c>--dev</c> is one process: its embedded silo takes free ports of its own unless told otherwise.</summary>
public sealed class DevGatewayPortsTests
{
    [Fact]
    public async Task Two_dev_gateways_on_one_machine_each_run_their_own_cluster()
    {
        await using var first = await EdgeNode.StartDevWithDefaultClusterSettingsAsync();
        await using var second = await EdgeNode.StartDevWithDefaultClusterSettingsAsync();

        await first.Admin.CreateAsync("/services", new { name = "only-on-first", url = "http://127.0.0.1:9/" });

        var (firstStatus, firstServices) = await first.Admin.GetJsonAsync("/services");
        var (secondStatus, secondServices) = await second.Admin.GetJsonAsync("/services");
        Assert.Equal((200, 200), (firstStatus, secondStatus));
        Assert.Equal("only-on-first", Assert.Single(firstServices!["data"]!.AsArray())!["name"]!.GetValue<string>());
        Assert.Empty(secondServices!["data"]!.AsArray());
        Assert.False(first.Process.HasExited || second.Process.HasExited);
    }

    [Fact]
    public async Task Dev_gateway_told_to_use_a_silo_port_that_is_taken_stops_at_once_naming_the_keys()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, output) = await EdgeNode.RunDevUntilExitAsync(TimeSpan.FromSeconds(60), $"--Turnpike:Cluster:SiloPort={port}");

        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{output}");
        var line = Assert.Single(output.Split('\n'), l => l.StartsWith("turnpike edge: ", StringComparison.Ordinal));
        Assert.Contains($"Turnpike:Cluster:SiloPort {port} is in use on 127.0.0.1", line, StringComparison.Ordinal);
        Assert.Contains("set Turnpike:Cluster:SiloPort and Turnpike:Cluster:GatewayPort to free ports", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
