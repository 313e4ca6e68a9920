using System.Net;
using System.Text.Json.Nodes;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Turnpike.Tests.Observability.Otlp;
using Xunit;

namespace Turnpike.Tests.Observability;

/// <summary>
/// The opentelemetry plugin through the proxy pipeline, in process: spans exported over OTLP/HTTP protobuf to a real
/// receiver that decodes them, and the trace context the upstream (a real server echoing its headers) is given.
/// </summary>
public sealed class OpenTelemetryPluginTests : IAsyncLifetime
{
    private const string CallerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string CallerSpan = "00f067aa0ba902b7";

    private ProxiedEcho _echo = null!;
    private OtlpReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _echo = await ProxiedEcho.StartAsync();
        _receiver = await OtlpReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _echo.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private PluginEntity Tracing(object config) => _echo.Proxy.Plugin("opentelemetry", config);

    /// <summary>Sends a GET with <paramref name="headers"/>; returns the upstream's echo of the request's headers and the response.</summary>
    private async Task<(JsonObject UpstreamHeaders, HttpResponseMessage Response)> SendAsync(string path, params (string Name, string Value)[] headers)
    {
        using var request = ProxiedEcho.Request(path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await _echo.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode != HttpStatusCode.BadRequest, body);
        var echoed = response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(body)!["headers"]!.AsObject() : [];
        return (echoed, response);
    }

    [Fact]
    public async Task Opentelemetry_exports_the_request_span_with_plugin_and_upstream_children_under_the_callers_trace()
    {
        _echo.Serve(
            Tracing(new
            {
                traces_endpoint = _receiver.Url,
                sampling_rate = 1,
                resource_attributes = new Dictionary<string, string> { ["service.name"] = "edge-under-test", ["deployment.environment"] = "test" },
                headers = new Dictionary<string, string> { ["X-Collector-Token"] = "t0ken" },
                queue = new { max_coalescing_delay = 0.05 },
            }),
            _echo.Proxy.Plugin("ip-restriction", new { allow = new[] { "127.0.0.1" } }));

        var (upstreamHeaders, response) = await SendAsync("/echo?x=1", ("traceparent", $"00-{CallerTrace}-{CallerSpan}-01"), ("tracestate", "vendor=abc"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await _receiver.WaitForAsync(s => s.Any(x => x.Name == "kong"), TimeSpan.FromSeconds(20), "the request span");
        var spans = _receiver.Spans.Where(s => s.TraceId == CallerTrace).ToList();
        var root = Assert.Single(spans, s => s.Name == "kong");
        Assert.Equal(CallerSpan, root.ParentSpanId); // a child of the caller's span
        Assert.Equal(2, root.Kind); // server
        Assert.Equal("GET", root.Attributes["http.method"]);
        Assert.Equal("200", root.Attributes["http.status_code"]);
        Assert.Equal("echo-route", root.Attributes["kong.route"]);
        Assert.Equal("echo", root.Attributes["kong.service"]);
        Assert.EndsWith("/echo?x=1", root.Attributes["http.url"]);

        var balancer = Assert.Single(spans, s => s.Name == "kong.balancer");
        Assert.Equal(root.SpanId, balancer.ParentSpanId);
        Assert.Equal(3, balancer.Kind); // client
        Assert.Equal("127.0.0.1", balancer.Attributes["net.peer.name"]);
        Assert.Equal(_echo.Upstream.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), balancer.Attributes["net.peer.port"]);
        Assert.Equal("200", balancer.Attributes["http.status_code"]);
        Assert.InRange(balancer.Start, root.Start, root.End);
        Assert.InRange(balancer.End, balancer.Start, root.End);

        var plugins = spans.Where(s => s.Name.StartsWith("kong.access.plugin.", StringComparison.Ordinal)).ToList();
        Assert.Contains(plugins, s => s.Name == "kong.access.plugin.ip-restriction");
        Assert.Contains(plugins, s => s.Name == "kong.access.plugin.opentelemetry");
        Assert.All(plugins, s => Assert.Equal(root.SpanId, s.ParentSpanId));

        // The upstream's parent is the upstream span, in the caller's trace, sampled, with the caller's tracestate.
        Assert.Equal($"00-{CallerTrace}-{balancer.SpanId}-01", upstreamHeaders["traceparent"]!.GetValue<string>());
        Assert.Equal("vendor=abc", upstreamHeaders["tracestate"]!.GetValue<string>());

        Assert.Equal("edge-under-test", root.Resource["service.name"]);
        Assert.Equal("test", root.Resource["deployment.environment"]);
        Assert.Equal("edge-in-process", root.Resource["service.instance.id"]);
        Assert.Equal("application/x-protobuf", _receiver.LastHeaders["content-type"]);
        Assert.Equal("t0ken", _receiver.LastHeaders["X-Collector-Token"]);
    }

    [Fact]
    public async Task Opentelemetry_reads_b3_and_writes_jaeger_and_w3c_as_propagation_says_and_clears_the_named_headers()
    {
        _echo.Serve(Tracing(new
        {
            traces_endpoint = _receiver.Url,
            sampling_rate = 1,
            http_response_header_for_traceid = "X-Trace-Id",
            propagation = new { extract = new[] { "b3" }, inject = new[] { "jaeger", "w3c" }, clear = new[] { "X-B3-TraceId", "X-B3-SpanId", "X-B3-Sampled" } },
        }));

        var (headers, response) = await SendAsync("/echo", ("X-B3-TraceId", CallerTrace), ("X-B3-SpanId", CallerSpan), ("X-B3-Sampled", "1"));

        Assert.Equal(CallerTrace, response.Headers.GetValues("X-Trace-Id").Single());
        var jaeger = headers["uber-trace-id"]!.GetValue<string>().Split(':');
        Assert.Equal(CallerTrace, jaeger[0]);
        Assert.Equal("01", jaeger[3]);
        Assert.StartsWith($"00-{CallerTrace}-{jaeger[1]}-01", headers["traceparent"]!.GetValue<string>());
        Assert.False(headers.ContainsKey("x-b3-traceid"));
        Assert.False(headers.ContainsKey("x-b3-spanid"));

        await _receiver.WaitForAsync(s => s.Any(x => x.TraceId == CallerTrace && x.Name == "kong.balancer"), TimeSpan.FromSeconds(20), "the b3 caller's trace");
        Assert.Equal(jaeger[1], _receiver.Spans.Single(s => s.TraceId == CallerTrace && s.Name == "kong.balancer").SpanId);
    }

    [Fact]
    public async Task Opentelemetry_with_header_type_ignore_starts_a_new_trace_whatever_the_caller_sent()
    {
        _echo.Serve(Tracing(new { traces_endpoint = _receiver.Url, sampling_rate = 1, header_type = "ignore" }));

        var (headers, _) = await SendAsync("/echo", ("traceparent", $"00-{CallerTrace}-{CallerSpan}-01"));

        var traceparent = headers["traceparent"]!.GetValue<string>();
        Assert.DoesNotContain(CallerTrace, traceparent, StringComparison.Ordinal);
        var traceId = traceparent.Split('-')[1];
        await _receiver.WaitForAsync(s => s.Any(x => x.TraceId == traceId && x.Name == "kong"), TimeSpan.FromSeconds(20), "the new trace");
        Assert.Equal("", _receiver.Spans.Single(s => s.TraceId == traceId && s.Name == "kong").ParentSpanId);
    }

    [Fact]
    public async Task Opentelemetry_samples_by_sampling_rate_but_follows_a_callers_sampled_flag_and_always_propagates()
    {
        _echo.Serve(Tracing(new { traces_endpoint = _receiver.Url, sampling_rate = 0, queue = new { max_coalescing_delay = 0.05 } }));

        // Rate 0 and no parent: nothing recorded, yet the upstream still gets a context, marked not sampled.
        var (unsampled, _) = await SendAsync("/echo");
        var parts = unsampled["traceparent"]!.GetValue<string>().Split('-');
        Assert.Equal("00", parts[3]);

        // A caller that sampled its trace is followed (Kong's parent-based sampling).
        await SendAsync("/echo", ("traceparent", $"00-{CallerTrace}-{CallerSpan}-01"));
        await _receiver.WaitForAsync(s => s.Any(x => x.TraceId == CallerTrace && x.Name == "kong"), TimeSpan.FromSeconds(20), "the caller-sampled trace");
        Assert.DoesNotContain(_receiver.Spans, s => s.TraceId == parts[1]);
    }

    [Fact]
    public async Task Opentelemetry_exports_no_upstream_span_when_a_plugin_answered()
    {
        _echo.Serve(
            Tracing(new { traces_endpoint = _receiver.Url, sampling_rate = 1, queue = new { max_coalescing_delay = 0.05 } }),
            _echo.Proxy.Plugin("request-termination", new { status_code = 403, message = "closed" }));

        var (_, response) = await SendAsync("/echo", ("traceparent", $"00-{CallerTrace}-{CallerSpan}-01"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);

        await _receiver.WaitForAsync(s => s.Any(x => x.TraceId == CallerTrace && x.Name == "kong"), TimeSpan.FromSeconds(20), "the request span");
        var spans = _receiver.Spans.Where(s => s.TraceId == CallerTrace).ToList();
        Assert.Equal("403", spans.Single(s => s.Name == "kong").Attributes["http.status_code"]);
        Assert.Contains(spans, s => s.Name == "kong.access.plugin.request-termination");
        Assert.DoesNotContain(spans, s => s.Name == "kong.balancer");
    }
}
