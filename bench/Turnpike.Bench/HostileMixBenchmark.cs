using System.Net.Sockets;
using System.Text;
using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>
/// Ordinary traffic beside a hostile client: does an attacker's traffic cost the others their latency? One edge as
/// shipped, one upstream; wrk drives a plain route while, in alternating rounds, nothing else runs or a hostile
/// mix does: catastrophic-regex paths, slow bodies held open, bad chunk framing, forged identity headers and
/// traversal attempts. Prints the ordinary traffic's p99 both ways (median of the rounds) and their ratio.
/// </summary>
internal static class HostileMixBenchmark
{
    public static async Task RunAsync(int rounds, int seconds, int connections, int attackers)
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
        var attacked = new List<Wrk>();
        long hostileSent = 0;
        for (var i = 0; i < rounds; i++)
        {
            quiet.Add(await Wrk.RunAsync(url, connections, TimeSpan.FromSeconds(seconds)));
            using var stop = new CancellationTokenSource();
            var hostile = HostileClient.RunAsync(edge.ProxyPort, attackers, stop.Token);
            attacked.Add(await Wrk.RunAsync(url, connections, TimeSpan.FromSeconds(seconds)));
            await stop.CancelAsync();
            hostileSent += await hostile;
            Console.WriteLine($"round {i + 1}: p99 quiet {quiet[^1].P99Ms:F2} ms ({quiet[^1].RequestsPerSecond:F0}/s), "
                + $"beside the hostile mix {attacked[^1].P99Ms:F2} ms ({attacked[^1].RequestsPerSecond:F0}/s, {attacked[^1].Non2xx} non-2xx)");
        }

        double Median(IEnumerable<double> values) => Percentiles.Of(values.ToList(), 50);
        var quietP99 = Median(quiet.Select(r => r.P99Ms));
        var attackedP99 = Median(attacked.Select(r => r.P99Ms));
        Console.WriteLine($"| ordinary traffic ({connections} connections) | p50 ms | p99 ms | requests/s | (median of {rounds}) |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| alone | {Median(quiet.Select(r => r.P50Ms)):F2} | {quietP99:F2} | {Median(quiet.Select(r => r.RequestsPerSecond)):F0} | |");
        Console.WriteLine($"| beside the hostile mix | {Median(attacked.Select(r => r.P50Ms)):F2} | {attackedP99:F2} | {Median(attacked.Select(r => r.RequestsPerSecond)):F0} | {hostileSent} hostile requests in all |");
        Console.WriteLine($"p99 beside the hostile mix / alone: {attackedP99 / quietP99:F2} (goal <= 1.20)");
        Console.WriteLine($"edge still healthy: {(await edge.Proxy.GetAsync("/plain")).IsSuccessStatusCode}");
    }

    /// <summary><paramref name="attackers"/> loops of hostile requests, plus slow-body connections held open, until stopped.</summary>
    private static class HostileClient
    {
        private static readonly string[] Probes =
        [
            "GET /re/" + new string('a', 64) + "! HTTP/1.1\r\nHost: h\r\n\r\n",
            "POST /plain/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            "POST /plain/x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            "GET /plain/a%0D%0AX-Injected:%201 HTTP/1.1\r\nHost: h\r\nX-Consumer-ID: admin\r\nX_Consumer_Groups: admins\r\n\r\n",
            "GET /plain/x/..%2F..%2Fetc HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET /plain/%C3 HTTP/1.1\r\nHost: h\r\n\r\n",
        ];

        public static async Task<long> RunAsync(int port, int attackers, CancellationToken stop)
        {
            long sent = 0;
            var loops = Enumerable.Range(0, attackers).Select(a => Task.Run(async () =>
            {
                for (var i = a; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        await RawHttp.SendAsync(port, Probes[i % Probes.Length], TimeSpan.FromSeconds(2));
                        Interlocked.Increment(ref sent);
                    }
                    catch (Exception ex) when (ex is IOException or SocketException)
                    {
                    }
                }
            }));
            var slow = Enumerable.Range(0, attackers * 4).Select(_ => Task.Run(() => SlowBodyAsync(port, stop)));
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
