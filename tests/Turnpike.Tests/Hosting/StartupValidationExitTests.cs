using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Hosting;

/// <summary>A setting refused by a validator stops the process with one line naming the key and exit code 2.</summary>
public sealed class StartupValidationExitTests
{
    /// <summary>
    /// Checked by ValidateOnStart: the generic host also logs the exception ("Hosting failed to start", with its stack)
    /// before Program.cs prints the line, as it did before the validators were classes; so only the line is asserted.
    /// </summary>
    [Theory]
    [InlineData("--Turnpike:Quota:MaxLease=0", "Turnpike:Quota: LeaseHorizon, MaxLease, CallTimeout and SweepInterval must be positive")]
    [InlineData("--Turnpike:Dns:MinTtl=00:00:00", "Turnpike:Dns: MinTtl and RetryAfterFailure must be positive")]
    [InlineData("--Turnpike:Metering:FlushInterval=00:00:00", "Turnpike:Metering: FlushInterval must be positive and JournalDirectory set")]
    public async Task A_bad_setting_checked_at_start_stops_the_edge_with_one_line_and_exit_code_2(string setting, string message)
    {
        var (exitCode, output) = await EdgeNode.RunDevUntilExitAsync(TimeSpan.FromSeconds(60), setting);

        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{output}");
        var line = Assert.Single(output.Split('\n'), l => l.StartsWith("turnpike edge: ", StringComparison.Ordinal));
        Assert.Contains(message, line, StringComparison.Ordinal);
    }

    /// <summary>Checked while the host is built (Kestrel's limits are consumed then): no stack trace at all.</summary>
    [Fact]
    public async Task A_bad_proxy_limit_stops_the_edge_before_it_starts_with_one_line_and_exit_code_2()
    {
        var (exitCode, output) = await EdgeNode.RunDevUntilExitAsync(TimeSpan.FromSeconds(60), "--Turnpike:Proxy:Limits:MaxRequestLineSize=10");

        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{output}");
        var line = Assert.Single(output.Split('\n'), l => l.StartsWith("turnpike edge: ", StringComparison.Ordinal));
        Assert.Equal("turnpike edge: Turnpike:Proxy:Limits:MaxRequestLineSize must be at least 256.", line.TrimEnd('\r'));
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_silo_setting_checked_at_start_stops_the_silo_with_exit_code_2()
    {
        var backend = new ClusterBackend(new Dictionary<string, string> { ["Turnpike__RateLimiting__MaxLeaseDuration"] = "00:00:00" });

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloNode.StartAsync(backend: backend));

        Assert.Contains("Process exited with 2", failure.Message, StringComparison.Ordinal);
        Assert.Contains("turnpike silo: Turnpike:RateLimiting:MaxLeaseDuration must be positive", failure.Message, StringComparison.Ordinal);
    }
}
