using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Turnpike.Tests.Infrastructure;

namespace Turnpike.Tests.Observability.Otlp;

/// <summary>
/// An OTLP/HTTP trace receiver on loopback (what the opentelemetry plugin exports to): decodes each protobuf
/// <c>ExportTraceServiceRequest</c> posted to <c>/v1/traces</c> and keeps its spans with their resource's attributes.
/// A test waits on <see cref="WaitForAsync"/>, which completes as soon as the spans it asks for have arrived.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly List<(Func<bool> Done, TaskCompletionSource Signal)> _waiters = [];

    private OtlpReceiver(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/v1/traces";

    /// <summary>Every span received, with its resource's attributes.</summary>
    public ConcurrentQueue<ReceivedSpan> Spans { get; } = new();

    /// <summary>The Content-Type and chosen headers of the last export.</summary>
    public ConcurrentDictionary<string, string> LastHeaders { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static async Task<OtlpReceiver> StartAsync()
    {
        var port = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app, port);
        app.MapPost("/v1/traces", (Delegate)receiver.ReceiveAsync);
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Completes when <paramref name="done"/> holds over the spans received (checked on each export); fails after <paramref name="within"/>.</summary>
    public async Task WaitForAsync(Func<IReadOnlyCollection<ReceivedSpan>, bool> done, TimeSpan within, string what)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (done(Spans))
            {
                return;
            }

            _waiters.Add((() => done(Spans), signal));
        }

        if (await Task.WhenAny(signal.Task, Task.Delay(within)) != signal.Task)
        {
            throw new TimeoutException($"{what}: not received within {within.TotalSeconds} s ({Spans.Count} spans: {string.Join(", ", Spans.Select(s => s.Name))})");
        }
    }

    private async Task<IResult> ReceiveAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        LastHeaders["content-type"] = context.Request.ContentType ?? "";
        foreach (var (name, value) in context.Request.Headers)
        {
            LastHeaders[name] = value.ToString();
        }

        var request = ExportTraceServiceRequest.Parser.ParseFrom(body.ToArray());
        lock (_gate)
        {
            foreach (var resourceSpans in request.ResourceSpans)
            {
                var resource = resourceSpans.Resource.Attributes.ToDictionary(a => a.Key, a => Text(a.Value));
                foreach (var span in resourceSpans.ScopeSpans.SelectMany(s => s.Spans))
                {
                    Spans.Enqueue(new ReceivedSpan(
                        Convert.ToHexStringLower(span.TraceId.Span),
                        Convert.ToHexStringLower(span.SpanId.Span),
                        Convert.ToHexStringLower(span.ParentSpanId.Span),
                        span.Name,
                        span.Kind,
                        span.StartTimeUnixNano,
                        span.EndTimeUnixNano,
                        span.Attributes.ToDictionary(a => a.Key, a => Text(a.Value)),
                        span.Status?.Code ?? 0,
                        resource));
                }
            }

            foreach (var waiter in _waiters.ToList())
            {
                if (waiter.Done())
                {
                    _waiters.Remove(waiter);
                    waiter.Signal.TrySetResult();
                }
            }
        }

        return Results.Bytes(new ExportTraceServiceResponse().ToByteArray(), "application/x-protobuf");
    }

    private static string Text(AnyValue value) => value.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "",
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One decoded span: ids as lowercase hex (an empty parent for a root), OTLP's kind (2 server, 3 client), status code (2 error).</summary>
internal sealed record ReceivedSpan(
    string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, ulong Start, ulong End,
    Dictionary<string, string> Attributes, int StatusCode, Dictionary<string, string> Resource);
