using System.Diagnostics;
using global::OpenTelemetry;
using global::OpenTelemetry.Exporter;
using global::OpenTelemetry.Resources;
using global::OpenTelemetry.Trace;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Admin;
using Turnpike.Edge.Observability.Logging;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.OpenTelemetry;

/// <summary>
/// One opentelemetry instance: its own activity source (a name no other instance listens to), a tracer provider with
/// Kong's sampler (the parent's decision when the request carries one, else <c>sampling_rate</c>), its resource, and
/// a batch processor bounded by <c>queue.max_entries</c> in front of the OTLP/HTTP protobuf exporter. Spans are
/// handed to the processor on the request's thread and exported by its own thread: a slow or dead collector costs
/// dropped spans, never request latency. Disposing it flushes what is queued and stops the exporter.
/// </summary>
internal sealed partial class OpenTelemetryHandler : IPluginHandler, IRequestTracer, IDisposable
{
    private const string PluginName = "opentelemetry";

    private static readonly TimeSpan FlushOnDispose = TimeSpan.FromSeconds(2);

    private readonly OpenTelemetryOptions _options;
    private readonly ActivitySource _source;
    private readonly TracerProvider _provider;
    private readonly HttpClient _client;
    private readonly IReadOnlyList<string> _extract;
    private readonly IReadOnlyList<string> _inject;

    public OpenTelemetryHandler(OpenTelemetryOptions options, string nodeId, LogMetrics metrics, ILogger logger)
    {
        _options = options;
        _extract = options.ExtractFormats;
        _inject = options.InjectFormats;
        _source = new ActivitySource("Turnpike.Edge.OpenTelemetry." + Guid.NewGuid().ToString("N"));
        _client = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromMilliseconds(Math.Max(1, options.ConnectTimeout)),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            UseCookies = false,
            AllowAutoRedirect = false,
            ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(), // the export is not traced itself
        })
        {
            Timeout = TimeSpan.FromMilliseconds(Math.Max(1, (long)options.SendTimeout + options.ReadTimeout)),
        };

        foreach (var (name, value) in options.Headers)
        {
            _client.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        }

        var exporter = new CountingExporter(
            new OtlpExporterOptions
            {
                Endpoint = options.TracesEndpoint,
                Protocol = OtlpExportProtocol.HttpProtobuf,
                TimeoutMilliseconds = Math.Max(1, options.SendTimeout),
                HttpClientFactory = () => _client,
            },
            metrics,
            logger);

        var queue = options.Queue;
        var attributes = new Dictionary<string, object>
        {
            ["service.name"] = "kong",
            ["service.version"] = NodeInfoEndpoint.KongVersion,
            ["service.instance.id"] = nodeId,
        };
        foreach (var (name, value) in options.ResourceAttributes)
        {
            attributes[name] = value;
        }

        _provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(_source.Name)
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddAttributes(attributes))
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.SamplingRate)))
            .AddProcessor(new BatchActivityExportProcessor(
                exporter,
                maxQueueSize: queue.MaxEntries,
                scheduledDelayMilliseconds: Math.Max(1, (int)(queue.MaxCoalescingDelay * 1000)),
                exporterTimeoutMilliseconds: Math.Max(1, options.SendTimeout),
                maxExportBatchSize: Math.Min(queue.MaxBatchSize, queue.MaxEntries)))
            .Build();
    }

    public ValueTask<bool> OnRequestAsync(ProxyContext context) => ValueTask.FromResult(true);

    public RequestTrace? Begin(ProxyContext context)
    {
        var request = context.HttpContext.Request;
        var extracted = TraceHeaders.TryExtract(request.Headers, _extract, out var parent, out var format);
        var previous = Activity.Current;
        var startUtc = DateTime.UtcNow - Stopwatch.GetElapsedTime(context.StartTimestamp);
        var root = _source.StartActivity("kong", ActivityKind.Server, parent, startTime: startUtc);
        var upstream = root is null ? null : _source.StartActivity("kong.balancer", ActivityKind.Client, root.Context, startTime: startUtc);
        Activity.Current = previous;

        ActivityContext upstreamParent;
        RequestTrace? trace = null;
        if (root is { Recorded: true } && upstream is not null)
        {
            root.SetTag("http.method", request.Method);
            root.SetTag("http.url", $"{request.Scheme}://{request.Host.ToUriComponent()}{request.Path.ToUriComponent()}{Observability.Logging.CredentialRedaction.Query(request.QueryString, context)}");
            root.SetTag("http.host", request.Host.Host);
            root.SetTag("http.scheme", request.Scheme);
            root.SetTag("http.flavor", request.Protocol.StartsWith("HTTP/", StringComparison.Ordinal) ? request.Protocol[5..] : request.Protocol);
            root.SetTag("net.peer.ip", ConnectionText.Of(context.HttpContext).RemoteAddress);
            trace = new RequestTrace(_source, root, upstream, context.StartTimestamp);
            upstreamParent = trace.UpstreamParent;
        }
        else
        {
            // Not sampled: the context still goes on, with the parent's trace id (or a new one) and "not sampled".
            var traceId = root?.TraceId ?? (extracted ? parent.TraceId : ActivityTraceId.CreateRandom());
            upstreamParent = new ActivityContext(traceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.None);
            Discard(upstream);
            Discard(root);
        }

        foreach (var name in _options.Propagation.Clear)
        {
            context.HideHeader(name);
        }

        var written = 0;
        foreach (var wanted in _inject)
        {
            var target = wanted == "preserve" ? (extracted ? format : _options.Propagation.DefaultFormat) : wanted;
            var bit = 1 << Array.IndexOf(TraceHeaders.Formats, target);
            if ((written & bit) != 0)
            {
                continue;
            }

            written |= bit;
            foreach (var (name, value) in TraceHeaders.Inject(upstreamParent, target, extracted ? parent.TraceState : null))
            {
                context.SetUpstreamHeader(name, value);
            }
        }

        if (_options.HttpResponseHeaderForTraceId is { } header)
        {
            context.SetResponseHeader(header, upstreamParent.TraceId.ToHexString());
        }

        return trace;
    }

    /// <summary>Ends a span the sampler created for propagation only (the SDK's "propagation data"): nothing is exported.</summary>
    private static void Discard(Activity? span)
    {
        if (span is not null)
        {
            var current = Activity.Current;
            span.Stop();
            Activity.Current = current;
        }
    }

    public void OnLog(ProxyContext context) => context.Trace?.End(context);

    /// <summary>Flushes what is queued (for at most <see cref="FlushOnDispose"/>: a hung collector never holds a shutdown) and stops the exporter's thread.</summary>
    public void Dispose()
    {
        _provider.Shutdown((int)FlushOnDispose.TotalMilliseconds);
        _provider.Dispose();
        _source.Dispose();
        _client.Dispose();
    }

    [LoggerMessage(EventId = 3300, Level = LogLevel.Warning, Message = "opentelemetry: exporting {Count} spans failed; they are dropped")]
    private static partial void LogExportFailed(ILogger logger, long count);

    /// <summary>The OTLP exporter, counted in the logging plugins' metrics: spans sent, and spans dropped when a batch failed.</summary>
    private sealed class CountingExporter(OtlpExporterOptions options, LogMetrics metrics, ILogger logger) : OtlpTraceExporter(options)
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            var result = base.Export(batch);
            if (result == ExportResult.Success)
            {
                metrics.Sent(PluginName, (int)batch.Count);
            }
            else
            {
                metrics.Dropped(PluginName, (int)batch.Count);
                LogExportFailed(logger, batch.Count);
            }

            return result;
        }
    }
}
