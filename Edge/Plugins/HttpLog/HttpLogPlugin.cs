using Microsoft.Extensions.Logging;
using Turnpike.Edge.Observability.Logging;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.HttpLog;

/// <summary>
/// Kong's http-log: each request's log record (<see cref="KongLogRecord"/>) is queued (<see cref="LogQueue"/>) and
/// sent to <c>http_endpoint</c> in batches (one object, or a JSON array when a batch holds more). Kong's
/// <c>custom_fields_by_lua</c> runs Lua and has no equivalent here; <c>headers</c> is not supported yet.
/// </summary>
internal sealed class HttpLogPlugin(LogMetrics metrics, ILoggerFactory loggers, TimeProvider time) : GatewayPlugin<HttpLogOptions>
{
    private static readonly ConfigField<string> Endpoint = Field.RequiredString("http_endpoint")
        .Check(url => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? null : "expected a full http or https URL");

    private static readonly ConfigField<string> Method = Field.OneOf("method", ["POST", "PUT", "PATCH"]).Default("POST");
    private static readonly ConfigField<string> ContentType = Field.OneOf("content_type", ["application/json", "application/json; charset=utf-8"]).Default("application/json");
    private static readonly ConfigField<int> Timeout = Field.Integer("timeout", 1, 3_600_000).Default(10_000);
    private static readonly ConfigField<int> Keepalive = Field.Integer("keepalive", 0, 3_600_000).Default(60_000);

    private static readonly ConfigSchema<HttpLogOptions> Schema = new(
        [Endpoint, Method, ContentType, Timeout, Keepalive, LogQueueOptions.QueueField],
        c => new(c.Get(Endpoint), c.Get(Method), c.Get(ContentType), c.Get(Timeout), c.Get(Keepalive), c.Get(LogQueueOptions.QueueField)));

    public override string Name => "http-log";

    public override int Priority => 12;

    public override ConfigSchema<HttpLogOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(HttpLogOptions options, Guid instanceId) =>
        new HttpLogHandler(options, metrics, loggers.CreateLogger<HttpLogHandler>(), time);
}

/// <summary>One http-log instance's configuration (Kong's names).</summary>
internal sealed record HttpLogOptions(string HttpEndpoint, string Method, string ContentType, int Timeout, int Keepalive, LogQueueOptions Queue);
