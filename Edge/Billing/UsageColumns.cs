using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Turnpike.Metering;

namespace Turnpike.Edge.Billing;

/// <summary>
/// The columns of usage reports and exports, in one fixed order: the same for CSV, JSON lines and the usage
/// API, so a consumer of the export can rely on them. Named counters go into one JSON column.
/// </summary>
internal static class UsageColumns
{
    public static readonly string[] Csv =
    [
        "period_start", "period_end", "consumer_id", "consumer_username", "service_id", "service_name",
        "requests", "rejected", "status_1xx", "status_2xx", "status_3xx", "status_4xx", "status_5xx",
        "bytes_in", "bytes_out", "upstream_latency_ms_sum", "counters", "amount", "currency",
    ];

    /// <summary>The columns with <c>by=region</c>: the region after the period.</summary>
    public static readonly string[] CsvByRegion = [.. Csv[..2], "region", .. Csv[2..]];

    /// <summary>Every counter by name, fixed ones first: what a price may name.</summary>
    public static IEnumerable<(string Name, long Value)> Counters(MeterCounters c)
    {
        yield return ("requests", c.Requests);
        yield return ("rejected", c.Rejected);
        for (var i = 0; i < c.StatusClasses.Length; i++)
        {
            yield return ($"status_{i + 1}xx", c.StatusClasses[i]);
        }

        yield return ("bytes_in", c.BytesIn);
        yield return ("bytes_out", c.BytesOut);
        yield return ("upstream_latency_ms_sum", c.UpstreamLatencyMsSum);
        foreach (var (name, value) in c.Named.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            yield return (name, value);
        }
    }

    /// <summary>What the row costs at <paramref name="price"/>: per 1,000 requests plus per unit of each priced counter.</summary>
    public static decimal Amount(MeterCounters counters, BillingPrice price) =>
        Math.Round((counters.Requests * price.Per1000Requests / 1000m)
            + Counters(counters).Sum(c => price.PerCounter.TryGetValue(c.Name, out var unit) ? c.Value * unit : 0m), 6);

    public static JsonObject Json(UsageRow row, string? username, string? serviceName, BillingPrice? price)
    {
        var json = new JsonObject
        {
            ["period_start"] = Iso(row.PeriodStart),
            ["period_end"] = Iso(row.PeriodEnd),
        };
        if (row.Region is not null)
        {
            json["region"] = row.Region;
        }

        json["consumer"] = row.ConsumerId == Guid.Empty ? null : new JsonObject { ["id"] = row.ConsumerId.ToString(), ["username"] = username };
        json["service"] = new JsonObject { ["id"] = row.ServiceId.ToString(), ["name"] = serviceName };
        foreach (var (name, value) in Counters(row.Counters).Take(10))
        {
            json[name] = value;
        }

        json["counters"] = NamedJson(row.Counters);
        json["amount"] = price is null ? null : Amount(row.Counters, price);
        json["currency"] = price?.Currency;
        return json;
    }

    /// <summary>One RFC 4180 line: fields with a comma, quote or line break are quoted, quotes doubled; CRLF at the end. The region column when the row has one.</summary>
    public static string CsvLine(UsageRow row, string? username, string? serviceName, BillingPrice? price)
    {
        var fields = new List<string?>
        {
            Iso(row.PeriodStart), Iso(row.PeriodEnd),
        };
        if (row.Region is not null)
        {
            fields.Add(row.Region);
        }

        fields.AddRange(
        [
            row.ConsumerId == Guid.Empty ? "" : row.ConsumerId.ToString(), username,
            row.ServiceId.ToString(), serviceName,
        ]);
        fields.AddRange(Counters(row.Counters).Take(10).Select(c => c.Value.ToString(CultureInfo.InvariantCulture)));
        fields.Add(NamedJson(row.Counters).ToJsonString());
        fields.Add(price is null ? "" : Amount(row.Counters, price).ToString(CultureInfo.InvariantCulture));
        fields.Add(price?.Currency);
        return CsvRecord(fields);
    }

    public static string CsvRecord(IEnumerable<string?> fields)
    {
        var line = new StringBuilder();
        foreach (var field in fields)
        {
            if (line.Length > 0)
            {
                line.Append(',');
            }

            var text = field ?? "";
            line.Append(text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text);
        }

        return line.Append("\r\n").ToString();
    }

    private static JsonObject NamedJson(MeterCounters counters) =>
        new([.. counters.Named.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => KeyValuePair.Create(n.Key, (JsonNode?)n.Value))]);

    private static string Iso(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
