using System.Diagnostics;
using Turnpike.Tests.Infrastructure;

namespace Turnpike.Bench;

/// <summary>An nginx of our own on a loopback port (Debian's nginx, bench/install-tools.sh), configured from an http block.</summary>
internal sealed class NginxProcess : IAsyncDisposable
{
    private readonly Process _process;

    private NginxProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>CPU time of the master and its workers so far (the workers are the master's children).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            var children = File.ReadAllText($"/proc/{_process.Id}/task/{_process.Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return children.Aggregate(ProcessStats.CpuTime(_process.Id), (sum, child) => sum + ProcessStats.CpuTime(int.Parse(child, System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>An upstream answering every request with a small 200, as the benchmark's origin.</summary>
    public static Task<NginxProcess> StartOriginAsync() => StartAsync(workers: "1", port => $$"""
        server { listen 127.0.0.1:{{port}}; location / { return 200 "ok\n"; } }
        """);

    /// <summary>
    /// A reverse proxy to <paramref name="upstreamPort"/> with upstream keep-alive, as Kong runs nginx: a worker per
    /// core, each with its own listening socket (<c>reuseport</c>, Kong's default), so the kernel spreads connections
    /// evenly. Without it one worker may accept most of them, and nginx's figure moved by a third from run to run.
    /// </summary>
    public static Task<NginxProcess> StartProxyAsync(int upstreamPort) => StartAsync(workers: "auto", port => $$"""
        upstream origin { server 127.0.0.1:{{upstreamPort}}; keepalive 128; }
        server {
            listen 127.0.0.1:{{port}} reuseport;
            location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; }
        }
        """);

    /// <summary>
    /// A TLS-terminating reverse proxy to <paramref name="upstreamPort"/> as Kong runs nginx for 8443: TLS 1.2 and 1.3,
    /// HTTP/2 by ALPN, a shared session cache and session tickets (resumption), upstream keep-alive.
    /// </summary>
    public static Task<NginxProcess> StartTlsProxyAsync(int upstreamPort, string certificatePath, string keyPath) => StartAsync(workers: "auto", port => $$"""
        upstream origin { server 127.0.0.1:{{upstreamPort}}; keepalive 128; }
        ssl_session_cache shared:SSL:10m;
        ssl_session_tickets on;
        server {
            listen 127.0.0.1:{{port}} ssl http2 reuseport;
            ssl_certificate {{certificatePath}};
            ssl_certificate_key {{keyPath}};
            ssl_protocols TLSv1.2 TLSv1.3;
            location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; }
        }
        """);

    private static async Task<NginxProcess> StartAsync(string workers, Func<int, string> servers)
    {
        var port = FreePorts.Next();
        var dir = Directory.CreateTempSubdirectory("turnpike-bench-nginx-").FullName;
        var config = Path.Combine(dir, "nginx.conf");
        await File.WriteAllTextAsync(config, $$"""
            worker_processes {{workers}};
            daemon off;
            pid {{dir}}/nginx.pid;
            error_log {{dir}}/error.log warn;
            events { worker_connections 4096; }
            http {
                access_log off;
                keepalive_requests 1000000;
                client_body_temp_path {{dir}}/body;
                proxy_temp_path {{dir}}/proxy;
                fastcgi_temp_path {{dir}}/fastcgi;
                uwsgi_temp_path {{dir}}/uwsgi;
                scgi_temp_path {{dir}}/scgi;
                {{servers(port)}}
            }
            """);
        var nginx = File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
        var process = Process.Start(new ProcessStartInfo(nginx, ["-p", dir, "-c", config]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("nginx did not start: run bench/install-tools.sh");
        using var http = new HttpClient();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{port}/");
                return new NginxProcess(process, port);
            }
            catch (HttpRequestException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"nginx on port {port} did not answer: {await File.ReadAllTextAsync(Path.Combine(dir, "error.log"))}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
