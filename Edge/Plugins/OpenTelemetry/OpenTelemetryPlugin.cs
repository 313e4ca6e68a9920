using Microsoft.Extensions.Logging;
using Turnpike.Edge.Hosting;
using Turnpike.Edge.Observability.Logging;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.OpenTelemetry;

/// <summary>
/// Kong's opentelemetry plugin (tracing): a span for each request with children for the plugins' access phase and the
/// upstream (or LLM) call, exported in batches over OTLP/HTTP protobuf to <c>traces_endpoint</c> by the OpenTelemetry
/// SDK, and the trace context read from and written to the request's headers in the formats <c>propagation</c> (or
/// the older <c>header_type</c>) names. Kong's <c>logs_endpoint</c> (OpenTelemetry logs) is not supported.
/// </summary>
internal sealed class OpenTelemetryPlugin(LogMetrics metrics, EdgeIdentity identity, ILoggerFactory loggers) : GatewayPlugin<OpenTelemetryOptions>
{
    /// <summary>Kong's <c>tracing_sampling_rate</c> default, used when an instance sets no <c>sampling_rate</c>.</summary>
    public const double DefaultSamplingRate = 0.01;

    private static readonly string[] HeaderTypes = ["preserve", "ignore", TraceHeaders.B3, TraceHeaders.B3Single, TraceHeaders.W3c, TraceHeaders.Jaeger, TraceHeaders.Ot];
    private static readonly string[] InjectFormats = ["preserve", .. TraceHeaders.Formats];

    private static readonly ConfigField<string> TracesEndpoint = Field.RequiredString("traces_endpoint")
        .Check(url => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? null : "expected a full http or https URL");

    private static readonly ConfigField<Dictionary<string, string>?> Headers = StringMapField.Of("headers", TextRules.HeaderName);
    private static readonly ConfigField<Dictionary<string, string>?> ResourceAttributes = StringMapField.Of("resource_attributes", key => key.Length == 0 ? "length must be at least 1" : null);
    private static readonly ConfigField<LogQueueOptions> Queue = LogQueueOptions.QueueFieldWith(maxBatchSize: 200);
    private static readonly ConfigField<int> ConnectTimeout = Field.Integer("connect_timeout", 0, int.MaxValue).Default(1000);
    private static readonly ConfigField<int> SendTimeout = Field.Integer("send_timeout", 0, int.MaxValue).Default(5000);
    private static readonly ConfigField<int> ReadTimeout = Field.Integer("read_timeout", 0, int.MaxValue).Default(5000);
    private static readonly ConfigField<string?> TraceIdHeader = Field.HeaderName("http_response_header_for_traceid");
    private static readonly ConfigField<string> HeaderType = Field.OneOf("header_type", HeaderTypes).Default("preserve");
    private static readonly ConfigField<double?> SamplingRate = Field.Number("sampling_rate", 0, 1);

    private static readonly ConfigField<string[]?> Extract = Field.Strings("extract", oneOf: TraceHeaders.Formats);
    private static readonly ConfigField<string[]?> Inject = Field.Strings("inject", oneOf: InjectFormats);
    private static readonly ConfigField<string[]?> Clear = Field.Strings("clear", check: TextRules.HeaderName);
    private static readonly ConfigField<string> DefaultFormat = Field.OneOf("default_format", TraceHeaders.Formats).Default(TraceHeaders.W3c);

    private static readonly ConfigField<PropagationOptions> Propagation = Field.Record("propagation", new ConfigSchema<PropagationOptions>(
        [Extract, Inject, Clear, DefaultFormat],
        c => new(c.Get(Extract), c.Get(Inject), c.Get(Clear) ?? [], c.Get(DefaultFormat))));

    private static readonly ConfigSchema<OpenTelemetryOptions> Schema = new(
        [TracesEndpoint, Headers, ResourceAttributes, Queue, ConnectTimeout, SendTimeout, ReadTimeout, TraceIdHeader, HeaderType, SamplingRate, Propagation],
        c => new(
            new Uri(c.Get(TracesEndpoint)),
            c.Get(Headers) ?? [],
            c.Get(ResourceAttributes) ?? [],
            c.Get(Queue),
            c.Get(ConnectTimeout),
            c.Get(SendTimeout),
            c.Get(ReadTimeout),
            c.Get(TraceIdHeader),
            c.Get(HeaderType),
            c.Get(SamplingRate) ?? DefaultSamplingRate,
            c.Get(Propagation)));

    public override string Name => "opentelemetry";

    public override int Priority => 14;

    public override ConfigSchema<OpenTelemetryOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(OpenTelemetryOptions options, Guid instanceId) =>
        new OpenTelemetryHandler(options, identity.EdgeId, metrics, loggers.CreateLogger<OpenTelemetryHandler>());
}

/// <summary>One opentelemetry instance's configuration (Kong's names).</summary>
internal sealed record OpenTelemetryOptions(
    Uri TracesEndpoint,
    Dictionary<string, string> Headers,
    Dictionary<string, string> ResourceAttributes,
    LogQueueOptions Queue,
    int ConnectTimeout,
    int SendTimeout,
    int ReadTimeout,
    string? HttpResponseHeaderForTraceId,
    string HeaderType,
    double SamplingRate,
    PropagationOptions Propagation)
{
    /// <summary>
    /// The formats read, in order: <c>propagation.extract</c> when given; otherwise Kong's older <c>header_type</c>
    /// rule, where every known format is read unless it is <c>ignore</c>.
    /// </summary>
    public IReadOnlyList<string> ExtractFormats => Propagation.Extract ?? (HeaderType == "ignore" ? [] : TraceHeaders.Formats);

    /// <summary>
    /// The formats written (<c>preserve</c>: the one the parent arrived in, else <c>default_format</c>):
    /// <c>propagation.inject</c> when given; otherwise <c>header_type</c>'s format beside the preserved one.
    /// </summary>
    public IReadOnlyList<string> InjectFormats => Propagation.Inject ?? (HeaderType is "preserve" or "ignore" ? ["preserve"] : ["preserve", HeaderType]);
}

/// <summary>Kong's <c>propagation</c> record.</summary>
internal sealed record PropagationOptions(string[]? Extract, string[]? Inject, string[] Clear, string DefaultFormat);
