using System.Globalization;
using System.Text.Json.Nodes;

namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c> package, installed by infra/install-servers.sh) on a free
/// loopback port, scraping the given targets every second from a temporary directory; stopped and deleted on dispose.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    public const string Program = "/usr/bin/prometheus";

    private readonly ServerProcess _process;
    private readonly string _directory;

    private PrometheusServer(ServerProcess process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public HttpClient Api { get; }

    public string Output => _process.Output;

    /// <param name="jobs">Scrape jobs: a job name and the <c>host:port</c> of each target's status listener.</param>
    public static async Task<PrometheusServer> StartAsync(params (string Job, string[] Targets)[] jobs)
    {
        var directory = Directory.CreateTempSubdirectory("turnpike-prometheus-").FullName;
        var config = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n" + string.Concat(jobs.Select(j =>
            $"  - job_name: {j.Job}\n    static_configs:\n      - targets: [{string.Join(", ", j.Targets.Select(t => $"'{t}'"))}]\n"));
        await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), config);
        var port = FreePorts.Next();
        var process = ServerProcess.StartProgram(Program, directory, new Dictionary<string, string>(),
            "--config.file=prometheus.yml", "--storage.tsdb.path=data", $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn");
        var server = new PrometheusServer(process, directory, port);
        try
        {
            await process.WaitUntilReadyAsync($"http://127.0.0.1:{port}/-/ready", TimeSpan.FromSeconds(30));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>An instant query through the HTTP API: each series' labels and value.</summary>
    public async Task<List<(JsonObject Labels, double Value)>> QueryAsync(string promql)
    {
        var answer = JsonNode.Parse(await Api.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(promql)))!;
        if (answer["status"]?.GetValue<string>() != "success")
        {
            throw new InvalidOperationException($"Prometheus refused {promql}: {answer.ToJsonString()}");
        }

        return [.. answer["data"]!["result"]!.AsArray().Select(r =>
            (r!["metric"]!.AsObject(), double.Parse(r["value"]![1]!.GetValue<string>(), CultureInfo.InvariantCulture)))];
    }

    /// <summary>A range query (step in seconds) through the HTTP API: each series' labels and its (time, value) points.</summary>
    public async Task<List<(JsonObject Labels, List<(double Time, double Value)> Points)>> QueryRangeAsync(string promql, DateTimeOffset start, DateTimeOffset end, int step)
    {
        var url = $"/api/v1/query_range?query={Uri.EscapeDataString(promql)}&start={start.ToUnixTimeSeconds()}&end={end.ToUnixTimeSeconds()}&step={step}";
        var answer = JsonNode.Parse(await Api.GetStringAsync(url))!;
        return [.. answer["data"]!["result"]!.AsArray().Select(r => (r!["metric"]!.AsObject(),
            r["values"]!.AsArray().Select(v => (v![0]!.GetValue<double>(), double.Parse(v[1]!.GetValue<string>(), CultureInfo.InvariantCulture))).ToList()))];
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the process as it dies: the temporary directory is cleaned up with the machine.
        }
    }
}
