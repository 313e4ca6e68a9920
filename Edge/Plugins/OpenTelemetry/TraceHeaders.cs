using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Plugins.OpenTelemetry;

/// <summary>
/// The trace-context header formats Kong's <c>propagation</c> names: <c>w3c</c> (<c>traceparent</c>, <c>tracestate</c>),
/// <c>b3</c> (<c>X-B3-*</c>), <c>b3-single</c> (<c>b3</c>), <c>jaeger</c> (<c>uber-trace-id</c>) and <c>ot</c>
/// (<c>ot-tracer-*</c>). Reading is strict: a value that is not exactly the format's hex digits is ignored, never
/// trusted, so nothing a client sends reaches the upstream unless it parsed; what is written is built from ids only.
/// </summary>
internal static class TraceHeaders
{
    public const string W3c = "w3c";
    public const string B3 = "b3";
    public const string B3Single = "b3-single";
    public const string Jaeger = "jaeger";
    public const string Ot = "ot";

    /// <summary>W3C's 32 list members of up to 256 characters are more than any upstream needs; 512 is what it asks every vendor to pass on.</summary>
    private const int MaxTraceState = 512;

    /// <summary>The formats this edge reads and writes, in the order Kong tries them when it extracts "any".</summary>
    public static readonly string[] Formats = [B3, W3c, Jaeger, Ot, B3Single];

    /// <summary>The parent trace found in <paramref name="headers"/> by the first of <paramref name="formats"/> that has one.</summary>
    public static bool TryExtract(IHeaderDictionary headers, IReadOnlyList<string> formats, out ActivityContext parent, out string format)
    {
        foreach (var candidate in formats)
        {
            if (TryExtract(headers, candidate, out parent))
            {
                format = candidate;
                return true;
            }
        }

        parent = default;
        format = "";
        return false;
    }

    private static bool TryExtract(IHeaderDictionary headers, string format, out ActivityContext parent)
    {
        parent = default;
        switch (format)
        {
            case W3c:
                // tracestate goes on to the upstream as it came: only a printable one of sane length does.
                var state = Single(headers, "tracestate");
                return ActivityContext.TryParse(Single(headers, "traceparent"), state is { Length: <= MaxTraceState } && IsPrintable(state) ? state : null, isRemote: true, out parent);
            case B3:
                return Ids(Single(headers, "X-B3-TraceId"), Single(headers, "X-B3-SpanId"), B3Sampled(Single(headers, "X-B3-Sampled"), Single(headers, "X-B3-Flags")), out parent);
            case B3Single:
                return B3SingleValue(Single(headers, "b3"), out parent);
            case Jaeger:
                return JaegerValue(Single(headers, "uber-trace-id"), out parent);
            case Ot:
                return Ids(Single(headers, "ot-tracer-traceid"), Single(headers, "ot-tracer-spanid"), Single(headers, "ot-tracer-sampled") is "true" or "1", out parent);
            default:
                return false;
        }
    }

    /// <summary>The headers that carry <paramref name="context"/> (the upstream's parent span) in <paramref name="format"/>.</summary>
    public static IEnumerable<(string Name, string Value)> Inject(ActivityContext context, string format, string? traceState)
    {
        var traceId = context.TraceId.ToHexString();
        var spanId = context.SpanId.ToHexString();
        var sampled = (context.TraceFlags & ActivityTraceFlags.Recorded) != 0;
        switch (format)
        {
            case W3c:
                yield return ("traceparent", $"00-{traceId}-{spanId}-{(sampled ? "01" : "00")}");
                if (traceState is { Length: > 0 })
                {
                    yield return ("tracestate", traceState);
                }

                break;
            case B3:
                yield return ("X-B3-TraceId", traceId);
                yield return ("X-B3-SpanId", spanId);
                yield return ("X-B3-Sampled", sampled ? "1" : "0");
                break;
            case B3Single:
                yield return ("b3", $"{traceId}-{spanId}-{(sampled ? "1" : "0")}");
                break;
            case Jaeger:
                yield return ("uber-trace-id", $"{traceId}:{spanId}:0:{(sampled ? "01" : "00")}");
                break;
            case Ot:
                yield return ("ot-tracer-traceid", traceId);
                yield return ("ot-tracer-spanid", spanId);
                yield return ("ot-tracer-sampled", sampled ? "true" : "false");
                break;
        }
    }

    private static string? Single(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;

    private static bool B3Sampled(string? sampled, string? flags) => flags == "1" || sampled is "1" or "true" or "d";

    /// <summary><c>b3: {trace}-{span}[-{sampled}[-{parent}]]</c>; a lone sampling decision carries no parent.</summary>
    private static bool B3SingleValue(string? value, out ActivityContext parent)
    {
        parent = default;
        if (value is null)
        {
            return false;
        }

        var parts = value.Split('-');
        return parts.Length is >= 2 and <= 4 && Ids(parts[0], parts[1], parts.Length > 2 && parts[2] is "1" or "d", out parent);
    }

    /// <summary><c>uber-trace-id: {trace}:{span}:{parent}:{flags}</c> (colons may arrive escaped as <c>%3A</c>).</summary>
    private static bool JaegerValue(string? value, out ActivityContext parent)
    {
        parent = default;
        if (value is null)
        {
            return false;
        }

        var parts = value.Replace("%3A", ":", StringComparison.OrdinalIgnoreCase).Split(':');
        return parts.Length == 4
            && byte.TryParse(parts[3], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var flags)
            && Ids(parts[0].PadLeft(parts[0].Length <= 16 ? 16 : 32, '0'), parts[1].PadLeft(16, '0'), (flags & 1) != 0, out parent);
    }

    /// <summary>A trace id of 16 or 32 lowercase hex digits (64-bit ids are widened with zeros, as OpenTelemetry does) and a span id of 16, neither all zeros.</summary>
    private static bool Ids(string? traceId, string? spanId, bool sampled, out ActivityContext parent)
    {
        parent = default;
        if (traceId is not { Length: 16 or 32 } || spanId is not { Length: 16 } || !IsHex(traceId) || !IsHex(spanId))
        {
            return false;
        }

        var trace = ActivityTraceId.CreateFromString(traceId.PadLeft(32, '0'));
        var span = ActivitySpanId.CreateFromString(spanId);
        if (trace == default || span == default || trace.ToHexString() == new string('0', 32) || span.ToHexString() == new string('0', 16))
        {
            return false;
        }

        parent = new ActivityContext(trace, span, sampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None, isRemote: true);
        return true;
    }

    private static bool IsPrintable(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsHex(string value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
