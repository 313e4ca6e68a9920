namespace Turnpike.Tests.Infrastructure;

/// <summary>
/// A real silo process. With localhost clustering the first silo of a cluster is its primary; with a
/// database backend the silos find each other through it.
/// </summary>
internal sealed class SiloNode : IAsyncDisposable
{
    private readonly ServerProcess _process;

    private SiloNode(ServerProcess process, int siloPort, int gatewayPort, int statusPort)
    {
        _process = process;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        StatusPort = statusPort;
    }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public int StatusPort { get; }

    public ServerProcess Process => _process;

    public static async Task<SiloNode> StartAsync(SiloNode? primary = null, ClusterBackend? backend = null, Dictionary<string, string>? extraEnvironment = null)
    {
        int siloPort = FreePorts.Next(), gatewayPort = FreePorts.Next(), statusPort = FreePorts.Next();
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

        var process = ServerProcess.Start(RepoPaths.SiloDll, environment);
        var node = new SiloNode(process, siloPort, gatewayPort, statusPort);
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
