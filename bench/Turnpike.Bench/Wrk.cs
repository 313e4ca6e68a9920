using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Turnpike.Bench;

/// <summary>One wrk run against a loopback URL (wrk from Debian's packages: bench/install-tools.sh) and what it printed.</summary>
internal sealed partial record Wrk(double RequestsPerSecond, double P50Ms, double P99Ms, long Non2xx)
{
    public static async Task<Wrk> RunAsync(string url, int connections, TimeSpan duration, params string[] headers)
    {
        var info = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-t1", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s", "--latency" })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var header in headers)
        {
            info.ArgumentList.Add("-H");
            info.ArgumentList.Add(header);
        }

        info.ArgumentList.Add(url);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("wrk did not start: run bench/install-tools.sh");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed: {await process.StandardError.ReadToEndAsync()}");
        }

        return new Wrk(
            Number(Throughput().Match(output)),
            Latency(output, "50%"),
            Latency(output, "99%"),
            NonSuccess().Match(output) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
    }

    private static double Latency(string output, string percentile)
    {
        var match = Regex.Match(output, $@"^\s*{Regex.Escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    private static double Number(Match match) => double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex Throughput();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex NonSuccess();
}
