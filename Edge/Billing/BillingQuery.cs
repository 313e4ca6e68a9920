using System.Globalization;
using Microsoft.AspNetCore.Http;
using Turnpike.Metering;

namespace Turnpike.Edge.Billing;

/// <summary>The query of <c>/billing/usage</c> and <c>/billing/export</c>, checked: a time range, a granularity, a format, filters.</summary>
internal sealed record BillingQuery(long From, long To, BillingGranularity Granularity, string Format, string? Consumer, string? Service)
{
    /// <summary><c>by=region</c>: a row per region (carrying its name) rather than summed over the regions.</summary>
    public bool ByRegion { get; init; }

    /// <summary><c>partial=true</c>: answer with the regions that can be reached, naming the others, rather than 503.</summary>
    public bool Partial { get; init; }

    /// <summary>The longest range one report may cover: it bounds the work a single call can ask for.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(366);

    public static BillingQuery? Parse(IQueryCollection query, string[] formats, out string? problem)
    {
        problem = null;
        var from = Time(query, "from", ref problem);
        var to = Time(query, "to", ref problem);
        var granularity = query["granularity"].ToString() switch
        {
            "" or "hour" => BillingGranularity.Hour,
            "day" => BillingGranularity.Day,
            "month" => BillingGranularity.Month,
            var other => Fail<BillingGranularity>(ref problem, $"granularity: expected one of: hour, day, month (got '{other}')"),
        };
        var format = query["format"].ToString() is { Length: > 0 } f ? f : formats[0];
        if (!formats.Contains(format))
        {
            problem ??= $"format: expected one of: {string.Join(", ", formats)} (got '{format}')";
        }

        var byRegion = query["by"].ToString() switch
        {
            "" => false,
            "region" => true,
            var other => Fail<bool>(ref problem, $"by: expected region (got '{Printable(other)}')"),
        };
        var partial = query["partial"].ToString() switch
        {
            "" or "false" => false,
            "true" => true,
            var other => Fail<bool>(ref problem, $"partial: expected true or false (got '{Printable(other)}')"),
        };

        if (problem is null && to <= from)
        {
            problem = "to: must be later than from";
        }

        if (problem is null && to - from > (long)MaxRange.TotalSeconds)
        {
            problem = $"to: a report covers at most {MaxRange.TotalDays:F0} days";
        }

        return problem is null
            ? new BillingQuery(from, to, granularity, format, Text(query, "consumer"), Text(query, "service")) { ByRegion = byRegion, Partial = partial }
            : null;
    }

    /// <summary>ISO 8601 (UTC unless an offset is given) or unix seconds.</summary>
    private static long Time(IQueryCollection query, string name, ref string? problem)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return Fail<long>(ref problem, $"{name}: required (an ISO 8601 time such as 2026-11-25T00:00:00Z, or unix seconds)");
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time.ToUnixTimeSeconds()
            : Fail<long>(ref problem, $"{name}: '{text}' is neither an ISO 8601 time nor unix seconds");
    }

    private static string Printable(string text) => string.Concat(text.Take(40).Select(c => char.IsControl(c) ? '?' : c));

    private static string? Text(IQueryCollection query, string name) => query[name].ToString() is { Length: > 0 } value ? value : null;

    private static T Fail<T>(ref string? problem, string message)
    {
        problem ??= message;
        return default!;
    }
}
