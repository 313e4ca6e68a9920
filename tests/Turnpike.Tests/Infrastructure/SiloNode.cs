namespace Turnpike.Tests.Infrastructure;

/// <summary>A real silo process with localhost clustering; the first silo of a cluster is its primary.</summary>
internal sealed class SiloNode : IAsyncDisposable
{
    private readonly ServerProcess _process;

    private SiloNode(ServerProcess process, int siloPort, int gatewayPort)
    {
        _process = process;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public ServerProcess Process => _process;

    public static async Task<SiloNode> StartAsync(SiloNode? primary = null)
    {
        int siloPort = FreePorts.Next(), gatewayPort = FreePorts.Next(), statusPort = FreePorts.Next();
        var process = ServerProcess.Start(RepoPaths.SiloDll, new Dictionary<string, string>
        {
            ["Turnpike__Cluster__SiloPort"] = siloPort.ToString(),
            ["Turnpike__Cluster__GatewayPort"] = gatewayPort.ToString(),
            ["Turnpike__Cluster__PrimarySiloEndpoint"] = $"127.0.0.1:{primary?.SiloPort ?? siloPort}",
            ["Turnpike__Status__Urls"] = $"http://127.0.0.1:{statusPort}",
        });
        var node = new SiloNode(process, siloPort, gatewayPort);
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
