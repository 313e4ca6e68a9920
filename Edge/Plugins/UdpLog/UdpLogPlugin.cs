using Microsoft.Extensions.Logging;
using Turnpike.Edge.Observability.Logging;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.UdpLog;

/// <summary>
/// Kong's udp-log: each request's log record (<see cref="KongLogRecord"/>) as one JSON datagram to <c>host</c>:<c>port</c>.
/// A record too large for one datagram is dropped and counted, never cut. Kong's <c>custom_fields_by_lua</c> has no
/// equivalent here.
/// </summary>
internal sealed class UdpLogPlugin(LogMetrics metrics, ILoggerFactory loggers, TimeProvider time) : GatewayPlugin<UdpLogOptions>
{
    private static readonly ConfigSchema<UdpLogOptions> Schema = new(
        [LogDestination.Host, LogDestination.Port, LogDestination.Timeout],
        c => new(c.Get(LogDestination.Host), c.Get(LogDestination.Port), c.Get(LogDestination.Timeout)));

    public override string Name => "udp-log";

    public override int Priority => 8;

    public override ConfigSchema<UdpLogOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(UdpLogOptions options, Guid instanceId) =>
        new UdpLogHandler(options, metrics, loggers.CreateLogger<UdpLogHandler>(), time);
}

/// <summary>One udp-log instance's configuration (Kong's names).</summary>
internal sealed record UdpLogOptions(string Host, int Port, int Timeout);
