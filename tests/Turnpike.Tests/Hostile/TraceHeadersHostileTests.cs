using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Plugins.OpenTelemetry;
using Turnpike.Edge.Schema;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>
/// What a client puts in trace headers never reaches the upstream unless it parsed as ids: forged, oversized or
/// malformed contexts start a new trace; what the gateway writes is built from ids alone. And the plugin's own
/// configuration refuses text that would split the exporter's headers.
/// </summary>
[Fast]
public sealed class TraceHeadersHostileTests
{
    private const string Trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string Span = "00f067aa0ba902b7";

    [Theory]
    [InlineData("traceparent", "00-" + Trace + "-" + Span + "-01\r\nX-Evil: 1")]
    [InlineData("traceparent", "00-" + Trace + "-" + Span + "-01\0")]
    [InlineData("traceparent", "00-00000000000000000000000000000000-" + Span + "-01")]
    [InlineData("traceparent", "00-" + Trace + "-0000000000000000-01")]
    [InlineData("traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-" + Span + "-01")]
    [InlineData("traceparent", "00-" + Trace + "-" + Span)]
    [InlineData("X-B3-TraceId", Trace + "\n")]
    [InlineData("X-B3-TraceId", "zz" + "f92f3577b34da6a3ce929d0e0e4736")]
    [InlineData("b3", Trace + "-" + Span + "-1-" + Span + "-extra")]
    [InlineData("b3", "1")]
    [InlineData("uber-trace-id", Trace + ":" + Span + ":0")]
    [InlineData("uber-trace-id", Trace + ":" + Span + ":0:zz")]
    [InlineData("ot-tracer-traceid", Trace + Trace)]
    public void Trace_context_that_does_not_parse_exactly_is_not_taken_as_a_parent(string name, string value)
    {
        var headers = new HeaderDictionary { [name] = value };
        if (name == "X-B3-TraceId")
        {
            headers["X-B3-SpanId"] = Span;
        }

        if (name == "ot-tracer-traceid")
        {
            headers["ot-tracer-spanid"] = Span;
        }

        Assert.False(TraceHeaders.TryExtract(headers, TraceHeaders.Formats, out _, out _));
    }

    [Fact]
    public void A_huge_or_repeated_trace_header_is_ignored_not_parsed()
    {
        var huge = new HeaderDictionary { ["uber-trace-id"] = new string('a', 64 * 1024) + ":" + Span + ":0:1" };
        Assert.False(TraceHeaders.TryExtract(huge, TraceHeaders.Formats, out _, out _));

        var twice = new HeaderDictionary { ["traceparent"] = new[] { $"00-{Trace}-{Span}-01", $"00-{Trace}-{Span}-01" } };
        Assert.False(TraceHeaders.TryExtract(twice, TraceHeaders.Formats, out _, out _));
    }

    [Theory]
    [InlineData("b3", "X-B3-TraceId", Trace)]
    [InlineData("b3-single", "b3", Trace + "-" + Span + "-1")]
    [InlineData("jaeger", "uber-trace-id", "af92f3577b34da6:" + Span + ":0:1")]
    [InlineData("ot", "ot-tracer-traceid", "a3ce929d0e0e4736")]
    public void Each_format_reads_a_well_formed_parent_and_64_bit_ids_are_widened(string format, string name, string value)
    {
        var headers = new HeaderDictionary { [name] = value, ["X-B3-SpanId"] = Span, ["X-B3-Sampled"] = "1", ["ot-tracer-spanid"] = Span, ["ot-tracer-sampled"] = "true" };

        Assert.True(TraceHeaders.TryExtract(headers, [format], out var parent, out var found));
        Assert.Equal(format, found);
        Assert.Equal(32, parent.TraceId.ToHexString().Length);
        Assert.EndsWith(value.Split(':', '-')[0], parent.TraceId.ToHexString(), StringComparison.Ordinal);
        Assert.Equal(Span, parent.SpanId.ToHexString());
        Assert.Equal(ActivityTraceFlags.Recorded, parent.TraceFlags);
    }

    [Fact]
    public void Written_headers_carry_ids_only_and_tracestate_only_as_parsed()
    {
        var context = new ActivityContext(ActivityTraceId.CreateFromString(Trace), ActivitySpanId.CreateFromString(Span), ActivityTraceFlags.Recorded);
        foreach (var format in TraceHeaders.Formats)
        {
            foreach (var (name, value) in TraceHeaders.Inject(context, format, traceState: null))
            {
                Assert.DoesNotContain(value, c => c < ' ' || c == '\u007f');
                Assert.Contains(Trace, TraceHeaders.Inject(context, format, null).Select(h => h.Value).Aggregate((a, b) => a + b), StringComparison.Ordinal);
                Assert.NotEmpty(name);
            }
        }

        // A tracestate the runtime refused to parse never comes back out.
        var headers = new HeaderDictionary { ["traceparent"] = $"00-{Trace}-{Span}-01", ["tracestate"] = "a=b\r\nX-Evil: 1" };
        if (TraceHeaders.TryExtract(headers, [TraceHeaders.W3c], out var parent, out _))
        {
            Assert.DoesNotContain('\n', parent.TraceState ?? "");
        }
    }

    [Theory]
    [InlineData("""{"traces_endpoint":"http://127.0.0.1:4318/v1/traces","headers":{"X-Token":"a\r\nX-Evil: 1"}}""", "config.headers.X-Token")]
    [InlineData("""{"traces_endpoint":"http://127.0.0.1:4318/v1/traces","headers":{"Bad Name":"x"}}""", "config.headers.Bad Name")]
    [InlineData("""{"traces_endpoint":"http://127.0.0.1:4318/v1/traces","resource_attributes":{"service.name":""}}""", "config.resource_attributes.service.name")]
    [InlineData("""{"traces_endpoint":"http://127.0.0.1:4318/v1/traces","header_type":"aws"}""", "config.header_type")]
    [InlineData("""{"traces_endpoint":"http://127.0.0.1:4318/v1/traces","sampling_rate":2}""", "config.sampling_rate")]
    [InlineData("""{"traces_endpoint":"http://127.0.0.1:4318/v1/traces","propagation":{"clear":["a\nb"]}}""", "config.propagation.clear")]
    [InlineData("""{"traces_endpoint":"http://127.0.0.1:4318/v1/traces","http_response_header_for_traceid":"X-Id\r\n"}""", "config.http_response_header_for_traceid")]
    [InlineData("""{"traces_endpoint":"file:///etc/passwd"}""", "config.traces_endpoint")]
    [InlineData("""{}""", "config.traces_endpoint")]
    public void Opentelemetry_config_with_hostile_text_is_refused_at_its_field(string config, string field)
    {
        var plugin = new OpenTelemetryPlugin(null!, null!, null!);
        var errors = new FieldErrors();
        plugin.ReadConfig(new FieldReader(JsonNode.Parse(config)!.AsObject(), errors, "config."));

        Assert.Contains(errors.All, e => e.Key.StartsWith(field, StringComparison.Ordinal));
    }
}
