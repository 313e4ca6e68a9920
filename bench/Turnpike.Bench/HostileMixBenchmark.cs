using System.Net.Sockets;
using System.Text;
using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>
/// Ordinary traffic beside a hostile client: does an attacker's traffic cost the others their latency? One edge as
/// shipped, one upstream; wrk drives a plain route while, in alternating rounds, nothing else runs or a hostile
/// mix does: catastrophic-regex paths, slow bodies held open, bad chunk framing, forged identity headers and
/// traversal attempts, at a fixed rate (each on a new connection, as a scanner sends them). Prints the ordinary
/// traffic's p99 both ways (median of the rounds) and their ratio. The rate is what makes the question fair: any
/// flood slows a 2-core machine; what must not happen is a hostile request costing far more than an ordinary one.
/// So a third set runs the same rate of well-formed requests on new connections, the baseline a hostile mix
/// is held to.
/// </summary>
internal static class HostileMixBenchmark
{
    public static async Task RunAsync(int rounds, int seconds, int connections, int attackers, int rate)
    {
        await using var upstream = await UpstreamServer.StartAsync();
        await using var edge = await EdgeNode.StartDevAsync(EdgeNode.AsShipped());
        await edge.Admin.CreateAsync("/services", new { name = "plain", url = upstream.Url });
        await edge.Admin.CreateAsync("/services/plain/routes", new { name = "plain", paths = new[] { "/plain" } });
        await edge.Admin.CreateAsync("/services/plain/routes", new { name = "regex", paths = new[] { "~/re/(a+)+$" } });
        using (await edge.Proxy.EventuallyAsync("/re/aaa", r => r.IsSuccessStatusCode))
        {
        }

        var url = $"http://127.0.0.1:{edge.ProxyPort}/plain";
        await Wrk.RunAsync(url, connections, TimeSpan.FromSeconds(2));
        var quiet = new List<Wrk>();
        var benign = new List<Wrk>();
        var attacked = new List<Wrk>();
        long hostileSent = 0;
        for (var i = 0; i < rounds; i++)
        {
            quiet.Add(await Wrk.RunAsync(url, connections, TimeSpan.FromSeconds(seconds)));
            benign.Add(await BesideAsync(HostileClient.Ordinary, slowBodies: false));
            attacked.Add(await BesideAsync(HostileClient.Probes, slowBodies: true));
            Console.WriteLine($"round {i + 1}: p99 alone {quiet[^1].P99Ms:F2} ms ({quiet[^1].RequestsPerSecond:F0}/s), "
                + $"beside ordinary new connections {benign[^1].P99Ms:F2} ms ({benign[^1].RequestsPerSecond:F0}/s), "
                + $"beside the hostile mix {attacked[^1].P99Ms:F2} ms ({attacked[^1].RequestsPerSecond:F0}/s, {attacked[^1].Non2xx} non-2xx)");
        }

        async Task<Wrk> BesideAsync(string[] probes, bool slowBodies)
        {
            using var stop = new CancellationTokenSource();
            var client = HostileClient.RunAsync(edge.ProxyPort, probes, slowBodies, attackers, rate, stop.Token);
            var run = await Wrk.RunAsync(url, connections, TimeSpan.FromSeconds(seconds));
            await stop.CancelAsync();
            var sent = await client;
            hostileSent += slowBodies ? sent : 0;
            return run;
        }

        double Median(IEnumerable<double> values) => Percentiles.Of(values.ToList(), 50);
        var quietP99 = Median(quiet.Select(r => r.P99Ms));
        var attackedP99 = Median(attacked.Select(r => r.P99Ms));
        var benignP99 = Median(benign.Select(r => r.P99Ms));
        Console.WriteLine($"| ordinary traffic ({connections} connections) | p50 ms | p99 ms | requests/s | (median of {rounds}) |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| alone | {Median(quiet.Select(r => r.P50Ms)):F2} | {quietP99:F2} | {Median(quiet.Select(r => r.RequestsPerSecond)):F0} | |");
        Console.WriteLine($"| beside {rate}/s ordinary requests on new connections | {Median(benign.Select(r => r.P50Ms)):F2} | {benignP99:F2} | {Median(benign.Select(r => r.RequestsPerSecond)):F0} | |");
        Console.WriteLine($"| beside the hostile mix | {Median(attacked.Select(r => r.P50Ms)):F2} | {attackedP99:F2} | {Median(attacked.Select(r => r.RequestsPerSecond)):F0} | {hostileSent} hostile requests in all ({rate}/s asked), {attackers * 4} slow bodies held |");
        Console.WriteLine($"p99 beside the hostile mix / alone: {attackedP99 / quietP99:F2} (goal <= 1.20); / beside the same rate of ordinary requests: {attackedP99 / benignP99:F2}");
        Console.WriteLine($"edge still healthy: {(await edge.Proxy.GetAsync("/plain")).IsSuccessStatusCode}");

        // What each kind costs the edge, one at a time: CPU per request, each on a new connection as above.
        Console.WriteLine("| request (new connection each) | status | edge CPU µs per request |");
        Console.WriteLine("|---|---|---|");
        foreach (var probe in HostileClient.Ordinary.Concat(HostileClient.Probes))
        {
            const int Count = 2000;
            var status = (await RawHttp.SendAsync(edge.ProxyPort, probe)).Status;
            var before = ProcessStats.CpuTime(edge.Process.Id);
            for (var i = 0; i < Count; i++)
            {
                await RawHttp.SendAsync(edge.ProxyPort, probe);
            }

            var cpu = (ProcessStats.CpuTime(edge.Process.Id) - before).TotalMicroseconds / Count;
            Console.WriteLine($"| `{probe[..probe.IndexOf(" HTTP/1.1", StringComparison.Ordinal)].Replace("|", "\\|", StringComparison.Ordinal)}`{(probe.Contains("Content-Length: 6", StringComparison.Ordinal) ? " (two Content-Lengths)" : probe.Contains("chunked", StringComparison.Ordinal) ? " (bad chunk)" : "")} | {status} | {cpu:F0} |");
        }
    }

    /// <summary>Loops sending requests over new connections at a fixed rate in all, with slow-body connections held open or not, until stopped.</summary>
    private static class HostileClient
    {
        public static readonly string[] Ordinary = ["GET /plain/x HTTP/1.1\r\nHost: h\r\n\r\n"];

        public static readonly string[] Probes =
        [
            "GET /re/" + new string('a', 64) + "! HTTP/1.1\r\nHost: h\r\n\r\n",
            "POST /plain/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            "POST /plain/x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            "GET /plain/a%0D%0AX-Injected:%201 HTTP/1.1\r\nHost: h\r\nX-Consumer-ID: admin\r\nX_Consumer_Groups: admins\r\n\r\n",
            "GET /plain/x/..%2F..%2Fetc HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET /plain/%C3 HTTP/1.1\r\nHost: h\r\n\r\n",
        ];

        public static async Task<long> RunAsync(int port, string[] probes, bool slowBodies, int attackers, int rate, CancellationToken stop)
        {
            long sent = 0;
            var pause = TimeSpan.FromSeconds((double)attackers / rate);
            var loops = Enumerable.Range(0, attackers).Select(a => Task.Run(async () =>
            {
                for (var i = a; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        await RawHttp.SendAsync(port, probes[i % probes.Length], TimeSpan.FromSeconds(2));
                        Interlocked.Increment(ref sent);
                        await Task.Delay(pause, stop);
                    }
                    catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
                    {
                    }
                }
            }));
            var slow = Enumerable.Range(0, slowBodies ? attackers * 4 : 0).Select(_ => Task.Run(() => SlowBodyAsync(port, stop)));
            await Task.WhenAll([.. loops, .. slow]);
            return sent;
        }

        /// <summary>A body trickled a byte at a time: the edge must cut it off, not hold a thread for it.</summary>
        private static async Task SlowBodyAsync(int port, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync("127.0.0.1", port, stop);
                    var stream = client.GetStream();
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /plain/upload HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n"), stop);
                    while (!stop.IsCancellationRequested)
                    {
                        await stream.WriteAsync("x"u8.ToArray(), stop);
                        await Task.Delay(250, stop);
                    }
                }
                catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
                {
                }
            }
        }
    }
}
