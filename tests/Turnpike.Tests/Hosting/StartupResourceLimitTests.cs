using System.Net;
using System.Net.Sockets;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hosting;

/// <summary>
/// Large fleets on one machine: the processes start without a configuration file watcher (one inotify instance
/// each, a per-user resource), and a start that lacks a resource stops with one line and exit code 2.
/// The inotify limit is exhausted for the child alone (its own user namespace with the limit at 0), so the
/// machine's other processes keep theirs.
/// </summary>
public sealed class StartupResourceLimitTests
{
    [Fact]
    public async Task A_silo_and_an_edge_start_and_serve_with_no_inotify_instance_left()
    {
        await using var silo = await SiloNode.StartAsync(launcher: ServerProcess.WithoutInotifyInstances);
        await using var edge = await EdgeNode.StartClientAsync([silo], launcher: ServerProcess.WithoutInotifyInstances);

        await edge.Admin.CreateAsync("/services", new { name = "limited", url = "http://127.0.0.1:9" });
        Assert.True(await edge.ConfigVersionAsync() >= 0);
        Assert.DoesNotContain("inotify", edge.Process.Output + silo.Process.Output, StringComparison.Ordinal);
    }

    /// <summary>The same limit with the watcher asked for: proves the limit holds in the child, and is one line, not a crash.</summary>
    [Fact]
    public async Task An_edge_asked_to_watch_its_files_with_no_inotify_instance_left_stops_with_one_line_and_exit_code_2()
    {
        var (exitCode, output) = await EdgeNode.RunDevUntilExitAsync(
            TimeSpan.FromSeconds(60), ServerProcess.WithoutInotifyInstances, new() { ["Turnpike__Hosting__WatchConfigFiles"] = "true" });

        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{output}");
        var line = Assert.Single(output.Split('\n'), l => l.StartsWith("turnpike edge: ", StringComparison.Ordinal));
        Assert.StartsWith("turnpike edge: could not start: ", line, StringComparison.Ordinal);
        Assert.Contains("inotify", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_watch_setting_that_is_not_a_boolean_stops_the_edge_with_one_line_and_exit_code_2()
    {
        var (exitCode, output) = await EdgeNode.RunDevUntilExitAsync(TimeSpan.FromSeconds(60), "--Turnpike:Hosting:WatchConfigFiles=yes\r\n");

        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{output}");
        var line = Assert.Single(output.Split('\n'), l => l.StartsWith("turnpike edge: ", StringComparison.Ordinal));
        Assert.Equal("turnpike edge: Turnpike:Hosting:WatchConfigFiles must be true or false.", line.TrimEnd('\r'));
    }

    [Fact]
    public async Task An_edge_whose_proxy_port_is_taken_stops_with_one_line_and_exit_code_2()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, output) = await EdgeNode.RunDevUntilExitAsync(TimeSpan.FromSeconds(60), $"--Turnpike:Proxy:Urls=http://127.0.0.1:{port}");

        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{output}");
        var line = Assert.Single(output.Split('\n'), l => l.StartsWith("turnpike edge: ", StringComparison.Ordinal));
        Assert.StartsWith("turnpike edge: could not start: ", line, StringComparison.Ordinal);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), line, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }
}
