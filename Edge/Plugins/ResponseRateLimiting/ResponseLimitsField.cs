using System.Text.Json.Nodes;
using Turnpike.Edge.Plugins.RateLimiting;
using Turnpike.Edge.Schema;
using Turnpike.RateLimiting;

namespace Turnpike.Edge.Plugins.ResponseRateLimiting;

/// <summary>
/// Kong's <c>limits</c> map: a name per metric the upstream reports, each a record of windows (<c>second</c> …
/// <c>year</c>, greater than 0, at least one, a longer window never below a shorter one). The names become parts of
/// header names (<c>X-RateLimit-Limit-{name}-{window}</c>), so, unlike Kong, a name must be a header token and short.
/// </summary>
internal static class ResponseLimitsField
{
    /// <summary>Names are echoed in headers and counter keys: a bound keeps both small.</summary>
    public const int MaxNameLength = 64;

    /// <summary>Each metric is a counter per client: a bound keeps a configuration from asking for thousands.</summary>
    public const int MaxLimits = 32;

    private static readonly RateLimitWindow[] Windows = Enum.GetValues<RateLimitWindow>();

    private static readonly ConfigField<int?>[] WindowFields =
        [.. Windows.Select(w => Field.Integer(RateLimitFields.WindowName(w), 0, int.MaxValue).Check(limit => limit == 0 ? "value must be greater than 0" : null))];

    private static readonly ConfigSchema<WindowLimit[]> Record = new([.. WindowFields], c =>
        [.. Windows.Zip(WindowFields).Where(w => c.Get(w.Second) is not null).Select(w => new WindowLimit(w.First, c.Get(w.Second)!.Value))]);

    public static ConfigField<ResponseLimit[]?> Create(string name) =>
        Field.Custom<ResponseLimit[]>(name, Describe(), (r, _) => Read(r, name), node => [.. node.AsObject().Select(e => new ResponseLimit(e.Key, Record.Bind(e.Value!.AsObject())))]);

    private static JsonObject? Read(FieldReader r, string name)
    {
        if (!r.Has(name))
        {
            r.Raw(name);
            r.Error(name, "required field missing");
            return null;
        }

        if (r.Object(name) is not { } map)
        {
            return null;
        }

        if (map.Count == 0)
        {
            r.Error(name, "length must be at least 1");
            return null;
        }

        if (map.Count > MaxLimits)
        {
            r.Error(name, $"length must be at most {MaxLimits}");
            return null;
        }

        var stored = new JsonObject();
        foreach (var (metric, value) in map)
        {
            var path = r.PathOf(name) + "." + metric;
            if (metric.Length > MaxNameLength || TextRules.HeaderName(metric) is not null)
            {
                r.Errors.Add(r.PathOf(name), $"invalid limit name '{Printable(metric)}': expected a header token of at most {MaxNameLength} characters");
                continue;
            }

            if (value is not JsonObject record)
            {
                r.Errors.Add(path, "expected a record");
                continue;
            }

            var errorsBefore = r.Errors.Count;
            var windows = Record.Read(new FieldReader(record, r.Errors, path + ".", r.Coerce));
            if (r.Errors.Count != errorsBefore)
            {
                continue;
            }

            if (OrderProblem(Record.Bind(windows)) is { } problem)
            {
                r.Errors.Add(path, problem);
                continue;
            }

            stored[metric] = windows;
        }

        return stored;
    }

    /// <summary>Kong's checks of one limit: at least one window, and no longer window allowing fewer than a shorter one.</summary>
    internal static string? OrderProblem(WindowLimit[] limits)
    {
        if (limits.Length == 0)
        {
            return "at least one of these fields must be non-empty: " + string.Join(", ", Windows.Select(w => $"'{RateLimitFields.WindowName(w)}'"));
        }

        for (var i = 0; i < limits.Length; i++)
        {
            for (var j = i + 1; j < limits.Length; j++)
            {
                if (limits[j].Limit < limits[i].Limit)
                {
                    return $"the limit for {RateLimitFields.WindowName(limits[j].Window)}({limits[j].Limit}.0) cannot be lower than the limit for {RateLimitFields.WindowName(limits[i].Window)}({limits[i].Limit}.0)";
                }
            }
        }

        return null;
    }

    private static string Printable(string text) =>
        new([.. text.Take(MaxNameLength).Select(c => char.IsControl(c) ? '?' : c)]);

    private static JsonObject Describe()
    {
        var description = Field.Describe("map", true);
        description["len_min"] = 1;
        description["keys"] = Field.Describe("string", false);
        var values = Record.Describe();
        values["required"] = true;
        values["entity_checks"] = new JsonArray(new JsonObject { ["at_least_one_of"] = Field.Array(Windows.Select(RateLimitFields.WindowName)) });
        description["values"] = values;
        return description;
    }
}
