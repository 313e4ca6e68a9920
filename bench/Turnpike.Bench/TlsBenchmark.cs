using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>
/// TLS at the edge against nginx terminating TLS with the same certificate (ECDSA P-256) on the same machine, in one
/// run: handshakes per second, full and resumed (<c>openssl s_time</c>, one connection at a time), HTTPS request
/// throughput over HTTP/1.1 keep-alive (wrk) and over HTTP/2 (h2load, 10 streams per connection), each with the
/// CPU µs per request (or handshake) of the process doing the work. Rounds alternate between the two.
/// </summary>
internal static partial class TlsBenchmark
{
    public static async Task RunAsync(int rounds, int seconds, int connections)
    {
        var dir = Directory.CreateTempSubdirectory("turnpike-bench-tls-").FullName;
        var (certificate, key) = (Path.Combine(dir, "cert.pem"), Path.Combine(dir, "key.pem"));
        await RunToolAsync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", certificate,
            "-days", "2", "-subj", "/CN=bench.test", "-addext", "subjectAltName=DNS:bench.test,IP:127.0.0.1"]);

        await using var origin = await NginxProcess.StartOriginAsync();
        await using var nginx = await NginxProcess.StartTlsProxyAsync(origin.Port, certificate, key);
        var tlsPort = FreePorts.Next();
        await using var edge = await EdgeNode.StartDevAsync(EdgeNode.AsShipped(new()
        {
            ["Turnpike__Proxy__Urls"] = $"https://127.0.0.1:{tlsPort}", // beside the harness's http listener
            ["Turnpike__Proxy__Certificate__Path"] = certificate,
            ["Turnpike__Proxy__Certificate__KeyPath"] = key,
            ["Turnpike__Metering__Enabled"] = "false",
        }));
        await edge.Admin.CreateAsync("/services", new { name = "plain", url = origin.Url });
        await edge.Admin.CreateAsync("/services/plain/routes", new { paths = new[] { "/" } });
        using (await edge.Proxy.EventuallyAsync("/", r => r.IsSuccessStatusCode))
        {
        }

        var targets = new (string Name, int Port, Func<TimeSpan> Cpu)[]
        {
            ("nginx (TLS, reverse proxy)", nginx.Port, () => nginx.CpuTime),
            ("turnpike (TLS, no plugins)", tlsPort, () => ProcessStats.CpuTime(edge.Process.Id)),
        };

        var figures = targets.ToDictionary(t => t.Name, _ => new Dictionary<string, List<(double Rate, double CpuUs)>>());
        foreach (var target in targets)
        {
            await WrkAsync(target.Port, connections, 2); // warm-up
        }

        for (var round = 0; round < rounds; round++)
        {
            foreach (var target in targets)
            {
                await MeasureAsync(target, "full handshakes/s (TLS 1.3)", () => HandshakesAsync(target.Port, seconds, resume: false));
                await MeasureAsync(target, "resumed handshakes/s (TLS 1.2 session reuse)", () => HandshakesAsync(target.Port, seconds, resume: true));
                await MeasureAsync(target, "HTTPS HTTP/1.1 requests/s", () => WrkAsync(target.Port, connections, seconds));
                await MeasureAsync(target, "HTTP/2 requests/s", () => H2LoadAsync(target.Port, connections, seconds));
            }

            Console.WriteLine($"round {round + 1} done");
        }

        Console.WriteLine();
        Console.WriteLine($"### TLS (ECDSA P-256, {connections} connections for throughput, {rounds} rounds of {seconds} s, medians)");
        Console.WriteLine();
        Console.WriteLine("| measure | nginx | nginx CPU µs each | turnpike | turnpike CPU µs each | turnpike / nginx |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var measure in figures[targets[0].Name].Keys)
        {
            var (nginxRate, nginxCpu) = Medians(figures[targets[0].Name][measure]);
            var (edgeRate, edgeCpu) = Medians(figures[targets[1].Name][measure]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {measure} | {nginxRate:F0} | {nginxCpu:F1} | {edgeRate:F0} | {edgeCpu:F1} | {edgeRate / nginxRate:F2} |"));
        }

        Console.WriteLine("goal: turnpike / nginx >= 0.80 for HTTPS throughput and handshake rate");

        async Task MeasureAsync((string Name, int Port, Func<TimeSpan> Cpu) target, string measure, Func<Task<(double Count, double Seconds)>> run)
        {
            var before = target.Cpu();
            var (count, elapsed) = await run();
            var cpu = (target.Cpu() - before).TotalMicroseconds / Math.Max(count, 1);
            var list = figures[target.Name].TryGetValue(measure, out var known) ? known : figures[target.Name][measure] = [];
            list.Add((count / elapsed, cpu));
        }
    }

    private static (double Rate, double CpuUs) Medians(List<(double Rate, double CpuUs)> values) =>
        (Percentiles.Of([.. values.Select(v => v.Rate)], 50), Percentiles.Of([.. values.Select(v => v.CpuUs)], 50));

    /// <summary>New TLS connections, one after another, by openssl s_time (with <c>-reuse</c>: resumed sessions).</summary>
    private static async Task<(double Count, double Seconds)> HandshakesAsync(int port, int seconds, bool resume)
    {
        // s_time resumes reliably only with TLS 1.2 (it does not wait for a TLS 1.3 ticket before closing).
        string[] version = resume ? ["-tls1_2"] : [];
        var output = await RunToolAsync("openssl", ["s_time", "-connect", $"127.0.0.1:{port}", resume ? "-reuse" : "-new", .. version, "-time", seconds.ToString(CultureInfo.InvariantCulture)]);
        var match = STime().Match(output);
        return match.Success
            ? (double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture))
            : throw new InvalidOperationException("openssl s_time printed no figures: " + output);
    }

    private static async Task<(double Count, double Seconds)> WrkAsync(int port, int connections, int seconds)
    {
        var run = await Wrk.RunAsync($"https://127.0.0.1:{port}/", connections, TimeSpan.FromSeconds(seconds));
        return (run.RequestsPerSecond * seconds, seconds);
    }

    private static async Task<(double Count, double Seconds)> H2LoadAsync(int port, int connections, int seconds)
    {
        var output = await RunToolAsync("h2load", ["-c", connections.ToString(CultureInfo.InvariantCulture), "-m", "10", "-D", seconds.ToString(CultureInfo.InvariantCulture), $"https://127.0.0.1:{port}/"]);
        var match = H2Load().Match(output);
        return match.Success
            ? (double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * seconds, seconds)
            : throw new InvalidOperationException("h2load printed no figures: " + output);
    }

    private static async Task<string> RunToolAsync(string tool, string[] arguments)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{tool} did not start: run bench/install-tools.sh");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return await output + await error;
    }

    // "1234 connections in 5.01s; 246.31 connections/user sec" — the user-time figure is openssl's own CPU, not the server's:
    // the rate is connections over real time, from the "in N real seconds" line.
    [GeneratedRegex(@"(\d+) connections in (\d+) real seconds")]
    private static partial Regex STime();

    [GeneratedRegex(@"finished in [\d.]+\w+, ([\d.]+) req/s")]
    private static partial Regex H2Load();
}
