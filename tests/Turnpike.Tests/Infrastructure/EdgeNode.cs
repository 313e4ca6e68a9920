using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Turnpike.Tests.Infrastructure;

/// <summary>A real edge process: its three listeners on free loopback ports, and clients for them.</summary>
internal sealed class EdgeNode : IAsyncDisposable
{
    private readonly ServerProcess _process;

    private EdgeNode(ServerProcess process, int proxyPort, int adminPort, int statusPort)
    {
        _process = process;
        ProxyPort = proxyPort;
        AdminPort = adminPort;
        StatusPort = statusPort;
        Proxy = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{proxyPort}"), Timeout = TimeSpan.FromSeconds(30) };
        Admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}"), Timeout = TimeSpan.FromSeconds(30) };
        Status = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{statusPort}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int ProxyPort { get; }

    public int AdminPort { get; }

    public int StatusPort { get; }

    public HttpClient Proxy { get; }

    public HttpClient Admin { get; }

    public HttpClient Status { get; }

    public ServerProcess Process => _process;

    /// <summary>
    /// The edge as shipped: server GC and the log levels of appsettings.json. The harness otherwise runs every
    /// process with workstation GC (less memory) and logging at Warning (less noise in failure messages).
    /// </summary>
    public static Dictionary<string, string> AsShipped(Dictionary<string, string>? environment = null) => new(environment ?? [])
    {
        ["DOTNET_gcServer"] = "1",
        ["Logging__LogLevel__Default"] = "Information",
        ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
    };

    /// <summary>An edge with an embedded silo and in-memory state (<c>--dev</c>).</summary>
    public static Task<EdgeNode> StartDevAsync(params string[] args) => StartDevAsync(new Dictionary<string, string>(), args);

    /// <summary>An edge with an embedded silo and in-memory state (<c>--dev</c>), with extra environment variables.</summary>
    public static Task<EdgeNode> StartDevAsync(Dictionary<string, string> environment, params string[] args) =>
        StartAsync(new Dictionary<string, string>(environment)
        {
            ["Turnpike__Cluster__SiloPort"] = FreePorts.Next().ToString(),
            ["Turnpike__Cluster__GatewayPort"] = FreePorts.Next().ToString(),
        }, ["--dev", .. args], dev: true);

    /// <summary>A dev edge whose working directory is <paramref name="workingDirectory"/>, not its own (as a service manager starts it from <c>/</c>).</summary>
    public static Task<EdgeNode> StartDevInAsync(string workingDirectory, Dictionary<string, string> environment) =>
        StartAsync(new Dictionary<string, string>(environment)
        {
            ["Turnpike__Cluster__SiloPort"] = FreePorts.Next().ToString(),
            ["Turnpike__Cluster__GatewayPort"] = FreePorts.Next().ToString(),
        }, ["--dev"], dev: true, launcher: ["env", "--chdir=" + workingDirectory]);

    /// <summary>
    /// An edge started with <c>--dev</c> as a user starts it: only its listeners set, so its embedded silo chooses its
    /// own cluster ports (<c>Turnpike:Cluster:SiloPort</c>, <c>GatewayPort</c>, <c>PrimarySiloEndpoint</c> unset).
    /// </summary>
    public static Task<EdgeNode> StartDevWithDefaultClusterSettingsAsync(params string[] args) =>
        StartAsync([], ["--dev", .. args], dev: true);

    /// <summary>A dev edge expected to stop by itself (a bad setting or file): its exit code and output.</summary>
    public static Task<(int ExitCode, string Output)> RunDevUntilExitAsync(TimeSpan timeout, params string[] args) =>
        RunDevUntilExitAsync(timeout, [], new Dictionary<string, string>(), args);

    /// <summary>A dev edge expected to stop by itself, started through <paramref name="launcher"/> (see <see cref="ServerProcess.Start(string[], string, IReadOnlyDictionary{string, string}, string[])"/>).</summary>
    public static async Task<(int ExitCode, string Output)> RunDevUntilExitAsync(TimeSpan timeout, string[] launcher, Dictionary<string, string> extraEnvironment, params string[] args)
    {
        var environment = new Dictionary<string, string>
        {
            ["Turnpike__Cluster__SiloPort"] = FreePorts.Next().ToString(),
            ["Turnpike__Cluster__GatewayPort"] = FreePorts.Next().ToString(),
            ["Turnpike__Proxy__Urls"] = $"http://127.0.0.1:{FreePorts.Next()}",
            ["Turnpike__Admin__Urls"] = $"http://127.0.0.1:{FreePorts.Next()}",
            ["Turnpike__Status__Urls"] = $"http://127.0.0.1:{FreePorts.Next()}",
            ["Turnpike__Metering__JournalDirectory"] = Directory.CreateTempSubdirectory("turnpike-meter-journal-").FullName,
        };
        environment["Turnpike__Cluster__PrimarySiloEndpoint"] = $"127.0.0.1:{environment["Turnpike__Cluster__SiloPort"]}";
        foreach (var (key, value) in extraEnvironment)
        {
            environment[key] = value;
        }

        await using var process = ServerProcess.Start(launcher, RepoPaths.EdgeDll, environment, ["--dev", .. args]);
        var exitCode = await process.WaitForExitAsync(timeout);
        return (exitCode, process.Output);
    }

    /// <summary>An edge that is an Orleans client of the given silos' gateways.</summary>
    public static Task<EdgeNode> StartClientAsync(
        IEnumerable<SiloNode> silos, TimeSpan? pollInterval = null, string? journalDirectory = null, Dictionary<string, string>? extraEnvironment = null, string[]? launcher = null) =>
        StartAsync(new Dictionary<string, string>(extraEnvironment ?? [])
        {
            ["Turnpike__Cluster__Gateways"] = string.Join(',', silos.Select(s => $"127.0.0.1:{s.GatewayPort}")),
            ["Turnpike__Sync__PollInterval"] = (pollInterval ?? TimeSpan.FromSeconds(1)).ToString(),
        }, [], dev: false, journalDirectory, launcher);

    /// <summary>An edge that finds the silos through the backend's membership table.</summary>
    public static Task<EdgeNode> StartClientAsync(ClusterBackend backend, TimeSpan? pollInterval = null, string? journalDirectory = null, Dictionary<string, string>? extraEnvironment = null)
    {
        var environment = new Dictionary<string, string>(backend.Environment)
        {
            ["Turnpike__Sync__PollInterval"] = (pollInterval ?? TimeSpan.FromSeconds(1)).ToString(),
        };
        foreach (var (key, value) in extraEnvironment ?? [])
        {
            environment[key] = value;
        }

        return StartAsync(environment, [], dev: false, journalDirectory);
    }

    /// <summary>Where this edge journals its meter batches: its own temporary directory unless a test shares one between edges.</summary>
    public string JournalDirectory { get; private set; } = "";

    private static async Task<EdgeNode> StartAsync(Dictionary<string, string> environment, string[] args, bool dev, string? journalDirectory = null, string[]? launcher = null)
    {
        int proxy = FreePorts.Next(), admin = FreePorts.Next(), status = FreePorts.Next();
        journalDirectory ??= Directory.CreateTempSubdirectory("turnpike-meter-journal-").FullName;
        environment["Turnpike__Metering__JournalDirectory"] = journalDirectory;
        // A caller's own URLs (an https:// or h2c:// listener) come after the harness's http one.
        foreach (var (name, port) in new[] { ("Proxy", proxy), ("Admin", admin), ("Status", status) })
        {
            var key = $"Turnpike__{name}__Urls";
            environment[key] = $"http://127.0.0.1:{port}" + (environment.TryGetValue(key, out var extra) && extra.Length > 0 ? ";" + extra : "");
        }
        if (dev && environment.TryGetValue("Turnpike__Cluster__SiloPort", out var siloPort))
        {
            environment["Turnpike__Cluster__PrimarySiloEndpoint"] = $"127.0.0.1:{siloPort}";
        }

        var process = ServerProcess.Start(launcher ?? [], RepoPaths.EdgeDll, environment, args);
        var node = new EdgeNode(process, proxy, admin, status) { JournalDirectory = journalDirectory };
        try
        {
            await process.WaitUntilReadyAsync($"http://127.0.0.1:{status}/status/ready", TimeSpan.FromSeconds(60));
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        return node;
    }

    public async Task<long> ConfigVersionAsync()
    {
        var status = await Status.GetFromJsonAsync<JsonObject>("/status");
        return status!["configuration_version"]!.GetValue<long>();
    }

    /// <summary>The rate limiter's admitted requests and counter grain calls so far, from the edge's <c>/metrics</c>.</summary>
    public async Task<(long Admitted, long GrainCalls)> RateLimitCountersAsync() =>
        (await MetricAsync("turnpike_ratelimit_admitted_total"), await MetricAsync("turnpike_ratelimit_grain_calls_total"));

    /// <summary>One value of the edge's <c>/metrics</c>.</summary>
    public async Task<long> MetricAsync(string name)
    {
        var lines = (await Status.GetStringAsync("/metrics")).Split('\n');
        return long.Parse(lines.Single(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        Proxy.Dispose();
        Admin.Dispose();
        Status.Dispose();
        await _process.DisposeAsync();
    }
}
