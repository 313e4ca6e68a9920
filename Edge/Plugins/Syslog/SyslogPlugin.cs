using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Observability.Logging;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.Syslog;

/// <summary>
/// Kong's syslog: each request's log record (<see cref="KongLogRecord"/>) as one syslog message (RFC 3164, as syslog(3)
/// writes it, tagged <c>kong</c>) at the severity its status class is configured with, sent when that severity is at
/// least <c>log_level</c>. Kong's <c>custom_fields_by_lua</c> has no equivalent here.
/// </summary>
internal sealed class SyslogPlugin(LogMetrics metrics, IOptions<SyslogOptions> destination, ILoggerFactory loggers, TimeProvider time) : GatewayPlugin<SyslogPluginOptions>
{
    private static readonly ConfigField<string> LogLevel = Field.OneOf("log_level", SyslogMessage.Severities).Default("info");
    private static readonly ConfigField<string> SuccessfulSeverity = Field.OneOf("successful_severity", SyslogMessage.Severities).Default("info");
    private static readonly ConfigField<string> ClientErrorsSeverity = Field.OneOf("client_errors_severity", SyslogMessage.Severities).Default("info");
    private static readonly ConfigField<string> ServerErrorsSeverity = Field.OneOf("server_errors_severity", SyslogMessage.Severities).Default("info");
    private static readonly ConfigField<string> Facility = Field.OneOf("facility", SyslogMessage.Facilities).Default("user");

    private static readonly ConfigSchema<SyslogPluginOptions> Schema = new(
        [LogLevel, SuccessfulSeverity, ClientErrorsSeverity, ServerErrorsSeverity, Facility],
        c => new(c.Get(LogLevel), c.Get(SuccessfulSeverity), c.Get(ClientErrorsSeverity), c.Get(ServerErrorsSeverity), c.Get(Facility)));

    public override string Name => "syslog";

    public override int Priority => 4;

    public override ConfigSchema<SyslogPluginOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(SyslogPluginOptions options, Guid instanceId) =>
        new SyslogHandler(options, destination.Value, metrics, loggers.CreateLogger<SyslogHandler>(), time);
}

/// <summary>One syslog instance's configuration (Kong's names).</summary>
internal sealed record SyslogPluginOptions(string LogLevel, string SuccessfulSeverity, string ClientErrorsSeverity, string ServerErrorsSeverity, string Facility);
