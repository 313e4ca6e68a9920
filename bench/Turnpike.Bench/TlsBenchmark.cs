using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Text.RegularExpressions;
using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>
/// TLS at the edge against nginx terminating TLS with the same certificate (ECDSA P-256) on the same machine, in one
/// run: handshakes per second with SNI <c>bench.test</c>, full and resumed, one connection at a time (a .NET
/// <see cref="SslStream"/> client: <c>openssl s_time</c> sends no SNI), so the edge chooses each handshake's
/// certificate from its route table as in production; HTTPS request throughput over HTTP/1.1 keep-alive (wrk) and
/// over HTTP/2 (h2load, 10 streams per connection), each with the CPU µs per request (or handshake) of the process
/// doing the work. Rounds alternate between the two.
/// </summary>
internal static partial class TlsBenchmark
{
    /// <summary>The name the certificate is made for and the handshake measures send as SNI.</summary>
    private const string ServerName = "bench.test";

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
            // The default certificate serves wrk and h2load, which connect to 127.0.0.1 and send no name; the
            // handshake measures send SNI bench.test and get the same certificate from the route table.
            ["Turnpike__Proxy__Certificate__Path"] = certificate,
            ["Turnpike__Proxy__Certificate__KeyPath"] = key,
            ["Turnpike__Metering__Enabled"] = "false",
        }));
        await edge.Admin.CreateAsync("/certificates", new { cert = await File.ReadAllTextAsync(certificate), key = await File.ReadAllTextAsync(key), snis = new[] { ServerName } });
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
                await MeasureAsync(target, "full handshakes/s (TLS 1.3, SNI)", () => HandshakesAsync(target.Port, seconds, SslProtocols.Tls13, resume: false));
                await MeasureAsync(target, "resumed handshakes/s (TLS 1.2, SNI)", () => HandshakesAsync(target.Port, seconds, SslProtocols.Tls12, resume: true));
                await MeasureAsync(target, "resumed handshakes + 1 request/s (TLS 1.3 ticket, SNI)", () => HandshakesAsync(target.Port, seconds, SslProtocols.Tls13, resume: true));
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

    /// <summary>
    /// New TLS connections to <paramref name="port"/>, one after another, each with SNI <see cref="ServerName"/>. Full:
    /// every connection a fresh session (.NET's client resumption off). Resumed: .NET's client session cache on; over
    /// TLS 1.2 the session comes within the handshake, over TLS 1.3 the server's ticket arrives after it, so each TLS 1.3
    /// connection also sends one request and reads the answer (the ticket with it) before closing.
    /// </summary>
    private static async Task<(double Count, double Seconds)> HandshakesAsync(int port, int seconds, SslProtocols protocol, bool resume)
    {
        var request = Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {ServerName}\r\nConnection: close\r\n\r\n");
        var buffer = new byte[16 * 1024];
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = ServerName,
            EnabledSslProtocols = protocol,
            AllowTlsResume = resume,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
#pragma warning disable CA5359 // the benchmark's own self-signed certificate: the handshake's cost is measured, not its trust
            RemoteCertificateValidationCallback = static (_, _, _, _) => true,
#pragma warning restore CA5359
        };
        var withRequest = resume && protocol == SslProtocols.Tls13;
        var clock = Stopwatch.StartNew();
        var count = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            using var tcp = new TcpClient { NoDelay = true };
            await tcp.ConnectAsync("127.0.0.1", port);
            await using var tls = new SslStream(tcp.GetStream());
            await tls.AuthenticateAsClientAsync(options);
            if (withRequest)
            {
                await tls.WriteAsync(request);
                while (await tls.ReadAsync(buffer) > 0)
                {
                }
            }

            count++;
        }

        return (count, clock.Elapsed.TotalSeconds);
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

    [GeneratedRegex(@"finished in [\d.]+\w+, ([\d.]+) req/s")]
    private static partial Regex H2Load();
}
