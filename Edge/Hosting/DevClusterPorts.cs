using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Turnpike.Cluster;
using Turnpike.Hosting;

namespace Turnpike.Edge.Hosting;

/// <summary>
/// <c>--dev</c> is one process: its embedded silo takes free loopback ports of its own for whichever of
/// <c>Turnpike:Cluster:SiloPort</c>, <c>GatewayPort</c> and <c>PrimarySiloEndpoint</c> is not set (the primary being
/// itself), so a second <c>--dev</c> gateway on the same machine starts its own cluster instead of trying to join the
/// first one's and dying after its retries. A port that is set but taken stops the edge at once, with one line naming the keys.
/// </summary>
internal static class DevClusterPorts
{
    private const string SiloPortKey = TurnpikeClusterOptions.Section + ":SiloPort";
    private const string GatewayPortKey = TurnpikeClusterOptions.Section + ":GatewayPort";
    private const string PrimaryKey = TurnpikeClusterOptions.Section + ":PrimarySiloEndpoint";

    public static void Assign(ConfigurationManager configuration)
    {
        var chosen = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var siloPort = Port(configuration, SiloPortKey, chosen);
        Port(configuration, GatewayPortKey, chosen);
        if (configuration[PrimaryKey] is null && siloPort is { } port)
        {
            chosen[PrimaryKey] = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        }

        if (chosen.Count > 0)
        {
            configuration.AddInMemoryCollection(chosen);
        }
    }

    /// <summary>The port set under <paramref name="key"/> (checked free), or a free one chosen; null when the setting is not a number (its validator names it).</summary>
    private static int? Port(ConfigurationManager configuration, string key, Dictionary<string, string?> chosen)
    {
        if (configuration[key] is not { } text)
        {
            var free = FreePort();
            chosen[key] = free.ToString(CultureInfo.InvariantCulture);
            return free;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is <= 0 or > 65535)
        {
            return null;
        }

        return IsFree(port)
            ? port
            : throw new ConfigurationProblemException(
                $"--dev: {key} {port} is in use on 127.0.0.1 (another silo or --dev gateway?); set {SiloPortKey} and {GatewayPortKey} to free ports, or leave them and {PrimaryKey} unset to have free ones chosen.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
