using Microsoft.Extensions.Logging;
using Turnpike.Edge.Observability.Logging;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.TcpLog;

/// <summary>
/// Kong's tcp-log: each request's log record (<see cref="KongLogRecord"/>) as one JSON line on a TCP connection to
/// <c>host</c>:<c>port</c> (kept open for <c>keepalive</c> ms), optionally over TLS (<c>tls</c>, <c>tls_sni</c>; the
/// server's certificate is verified against the system's trust, where Kong skips the check). Kong's
/// <c>custom_fields_by_lua</c> runs Lua and has no equivalent here.
/// </summary>
internal sealed class TcpLogPlugin(LogMetrics metrics, ILoggerFactory loggers, TimeProvider time) : GatewayPlugin<TcpLogOptions>
{
    private static readonly ConfigField<int> Keepalive = Field.Integer("keepalive", 0, int.MaxValue).Default(60_000);
    private static readonly ConfigField<bool> Tls = Field.Boolean("tls").Default(false);
    private static readonly ConfigField<string?> TlsSni = Field.String("tls_sni").Check(LogDestination.SniProblem);

    private static readonly ConfigSchema<TcpLogOptions> Schema = new(
        [LogDestination.Host, LogDestination.Port, LogDestination.Timeout, Keepalive, Tls, TlsSni],
        c => new(c.Get(LogDestination.Host), c.Get(LogDestination.Port), c.Get(LogDestination.Timeout), c.Get(Keepalive), c.Get(Tls), c.Get(TlsSni)));

    public override string Name => "tcp-log";

    public override int Priority => 7;

    public override ConfigSchema<TcpLogOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(TcpLogOptions options, Guid instanceId) =>
        new TcpLogHandler(options, metrics, loggers.CreateLogger<TcpLogHandler>(), time);
}

/// <summary>One tcp-log instance's configuration (Kong's names).</summary>
internal sealed record TcpLogOptions(string Host, int Port, int Timeout, int Keepalive, bool Tls, string? TlsSni);
