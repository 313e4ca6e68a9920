namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// A real silo process. With localhost clustering the first silo of a cluster is its primary; with a
/// database backend the silos find each other through it.
/// </summary>
internal sealed class SiloNode : IAsyncDisposable
{
    private readonly ServerProcess _process;
    private readonly ClusterBackend? _backend;

    private SiloNode(ServerProcess process, int siloPort, int gatewayPort, int statusPort, ClusterBackend? backend)
    {
        _process = process;
        _backend = backend;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        StatusPort = statusPort;
    }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public int StatusPort { get; }

    public ServerProcess Process => _process;

    /// <param name="siloDll">Another build's silo (a benchmark's baseline); this build's by default.</param>
    public static Task<SiloNode> StartAsync(SiloNode? primary = null, ClusterBackend? backend = null, string[]? launcher = null, Dictionary<string, string>? extraEnvironment = null, string? siloDll = null) =>
        StartAsync(primary, backend, launcher, extraEnvironment, FreePorts.Next(), FreePorts.Next(), FreePorts.Next(), siloDll);

    /// <summary>
    /// The same silo again, on its ports and backend, after it was killed. With localhost clustering and memory storage
    /// (a lone silo) that is a new, empty cluster which the edges' static gateway list reaches again; with a database
    /// backend it joins the cluster the others kept. <paramref name="extraEnvironment"/>: settings it had (its region's, say).
    /// </summary>
    public Task<SiloNode> RestartAsync(Dictionary<string, string>? extraEnvironment = null) => StartAsync(null, _backend, null, extraEnvironment, SiloPort, GatewayPort, StatusPort, null);

    private static async Task<SiloNode> StartAsync(SiloNode? primary, ClusterBackend? backend, string[]? launcher, Dictionary<string, string>? extraEnvironment, int siloPort, int gatewayPort, int statusPort, string? siloDll)
    {
        var environment = new Dictionary<string, string>((backend ?? ClusterBackend.Localhost).Environment)
        {
            ["Turnpike__Cluster__SiloPort"] = siloPort.ToString(),
            ["Turnpike__Cluster__GatewayPort"] = gatewayPort.ToString(),
            ["Turnpike__Cluster__PrimarySiloEndpoint"] = $"127.0.0.1:{primary?.SiloPort ?? siloPort}",
            ["Turnpike__Status__Urls"] = $"http://127.0.0.1:{statusPort}",
        };
        foreach (var (key, value) in extraEnvironment ?? [])
        {
            environment[key] = value;
        }

        var process = ServerProcess.Start(launcher ?? [], siloDll ?? RepoPaths.SiloDll, environment);
        var node = new SiloNode(process, siloPort, gatewayPort, statusPort, backend);
        try
        {
            await process.WaitUntilReadyAsync($"http://127.0.0.1:{statusPort}/healthz", TimeSpan.FromSeconds(60));
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        return node;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
