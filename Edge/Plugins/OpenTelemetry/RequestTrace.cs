using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.OpenTelemetry;

/// <summary>
/// One sampled request's spans: <c>kong</c> (the request, kind server) with children <c>kong.access.plugin.{name}</c>
/// for each plugin's access phase and <c>kong.balancer</c> (kind client) for the upstream call, or <c>kong.gen_ai</c>
/// when ai-proxy called an LLM. The upstream span is started when the trace begins, so its id is the parent the
/// upstream is given; it is dated when the request is over, and never exported when nothing was forwarded.
/// Timestamps come from the proxy's own clock readings: tracing adds no timing calls of its own to the request.
/// </summary>
internal sealed class RequestTrace
{
    private readonly ActivitySource _source;
    private readonly Activity _root;
    private readonly Activity _upstream;
    private readonly DateTime _startUtc;
    private readonly long _startTimestamp;

    public RequestTrace(ActivitySource source, Activity root, Activity upstream, long startTimestamp)
    {
        _source = source;
        _root = root;
        _upstream = upstream;
        _startTimestamp = startTimestamp;
        _startUtc = root.StartTimeUtc;
    }

    /// <summary>The parent the upstream gets: the upstream span.</summary>
    public ActivityContext UpstreamParent => _upstream.Context;

    /// <summary>A plugin's access phase ran from <paramref name="startTimestamp"/> until now.</summary>
    public void Plugin(string name, long startTimestamp)
    {
        var span = Child("kong.access.plugin." + name, ActivityKind.Internal, At(startTimestamp));
        if (span is not null)
        {
            Close(span.SetEndTime(DateTime.UtcNow));
        }
    }

    /// <summary>The request is over: dates and closes the spans, which the batch processor then exports.</summary>
    public void End(ProxyContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        if (context.LlmCall is { } call)
        {
            _upstream.DisplayName = "kong.gen_ai";
            _upstream.SetStartTime(At(context.ForwardTimestamp != 0 ? context.ForwardTimestamp : _startTimestamp));
            _upstream.SetTag("gen_ai.system", call.Provider);
            _upstream.SetTag("gen_ai.request.model", call.Model);
            if (call.Usage is { } usage)
            {
                _upstream.SetTag("gen_ai.usage.input_tokens", usage.PromptTokens);
                _upstream.SetTag("gen_ai.usage.output_tokens", usage.CompletionTokens);
            }

            _upstream.SetEndTime(_upstream.StartTimeUtc + TimeSpan.FromMilliseconds(call.LatencyMs));
            Close(_upstream);
        }
        else if (context.ForwardTimestamp != 0 && context.UpstreamDestination is { } destination)
        {
            _upstream.SetStartTime(At(context.ForwardTimestamp));
            if (Uri.TryCreate(destination, UriKind.Absolute, out var target))
            {
                _upstream.SetTag("net.peer.name", target.Host);
                _upstream.SetTag("net.peer.port", target.Port);
                _upstream.SetTag("http.url", ProxyContext.UpstreamUri(destination, context.UpstreamPath, Observability.Logging.CredentialRedaction.Query(context.UpstreamQuery ?? http.Request.QueryString, context)).ToString());
            }

            _upstream.SetTag("peer.service", context.Service?.Entity.Name);
            _upstream.SetTag("http.method", http.Request.Method);
            if (context.AnsweredByUpstream)
            {
                _upstream.SetTag("http.status_code", status);
                _upstream.SetEndTime(_upstream.StartTimeUtc + TimeSpan.FromMilliseconds(context.UpstreamLatencyMs));
            }
            else
            {
                _upstream.SetStatus(ActivityStatusCode.Error, "no answer from the upstream");
                _upstream.SetEndTime(DateTime.UtcNow);
            }

            Close(_upstream);
        }
        else
        {
            // Nothing was forwarded (a plugin answered): the span whose id was handed out is not exported.
            _upstream.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            _upstream.IsAllDataRequested = false;
            Close(_upstream);
        }

        _root.SetTag("http.status_code", status);
        if (context.Route?.Entity.Name is { } route)
        {
            _root.SetTag("kong.route", route);
        }

        if (context.Service?.Entity.Name is { } service)
        {
            _root.SetTag("kong.service", service);
        }

        if (context.Consumer?.Username is { } consumer)
        {
            _root.SetTag("kong.consumer", consumer);
        }

        if (status >= StatusCodes.Status500InternalServerError)
        {
            _root.SetStatus(ActivityStatusCode.Error);
        }

        _root.SetEndTime(DateTime.UtcNow);
        Close(_root);
    }

    /// <summary>Stops a span without touching the request's <see cref="Activity.Current"/> (Stop would set it to the span's parent).</summary>
    private static void Close(Activity span)
    {
        var current = Activity.Current;
        span.Stop();
        Activity.Current = current;
    }

    private DateTime At(long timestamp) => _startUtc + Stopwatch.GetElapsedTime(_startTimestamp, timestamp);

    private Activity? Child(string name, ActivityKind kind, DateTime start)
    {
        var previous = Activity.Current;
        var span = _source.StartActivity(name, kind, _root.Context, startTime: start);
        Activity.Current = previous;
        return span;
    }
}
