using System.Globalization;
using System.Security;
using System.Text;
using System.Text.Json.Nodes;

namespace Turnpike.Bench;

/// <summary>One query of a dashboard panel as Grafana shows it: its PromQL and its legend template.</summary>
internal sealed record DashboardTarget(string Expr, string LegendFormat);

/// <summary>A panel of infra/grafana/turnpike.json: its title, where it sits on Grafana's 24-column grid, its queries.</summary>
internal sealed record DashboardPanel(string Title, int X, int Y, int W, int H, IReadOnlyList<DashboardTarget> Targets)
{
    /// <summary>The panels of a Grafana dashboard JSON, in the order the file lists them.</summary>
    public static List<DashboardPanel> Read(JsonNode dashboard) =>
        [.. dashboard["panels"]!.AsArray().Select(p => new DashboardPanel(
            p!["title"]!.GetValue<string>(),
            p["gridPos"]!["x"]!.GetValue<int>(),
            p["gridPos"]!["y"]!.GetValue<int>(),
            p["gridPos"]!["w"]!.GetValue<int>(),
            p["gridPos"]!["h"]!.GetValue<int>(),
            [.. p["targets"]!.AsArray().Select(t => new DashboardTarget(t!["expr"]!.GetValue<string>(), t["legendFormat"]?.GetValue<string>() ?? ""))]))];
}

/// <summary>A line of a panel: its legend (the target's template filled from the series' labels) and its points.</summary>
internal sealed record PanelSeries(string Legend, IReadOnlyList<(double Time, double Value)> Points)
{
    /// <summary>Grafana's legend templating: <c>{{label}}</c> becomes the label's value; no template lists the labels.</summary>
    public static string LegendOf(string template, JsonObject labels)
    {
        if (template.Length == 0)
        {
            return labels.Count == 0 ? "value" : "{" + string.Join(", ", labels.Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";
        }

        var legend = new StringBuilder();
        var at = 0;
        while (at < template.Length)
        {
            var open = template.IndexOf("{{", at, StringComparison.Ordinal);
            var close = open < 0 ? -1 : template.IndexOf("}}", open, StringComparison.Ordinal);
            if (close < 0)
            {
                legend.Append(template, at, template.Length - at);
                break;
            }

            legend.Append(template, at, open - at);
            legend.Append(labels[template[(open + 2)..close].Trim()]?.GetValue<string>() ?? "");
            at = close + 2;
        }

        return legend.ToString();
    }
}

/// <summary>
/// Draws dashboard panels as Grafana's time-series panels look in its dark theme (a line per series, y axis from 0
/// or the data's minimum, clock times below, the legend under the plot) into one SVG: no browser and no font files,
/// so the picture can be made on any machine that can run the cluster.
/// </summary>
internal static class DashboardSvg
{
    private const int Width = 1200;
    private const int RowHeight = 26; // pixels per unit of Grafana's gridPos.h
    private const int Gap = 8;

    private static readonly string[] Palette = ["#73BF69", "#F2CC0C", "#8AB8FF", "#FF780A", "#F2495C", "#5794F2", "#B877D9", "#FADE2A", "#96D98D", "#FFB357"];

    /// <param name="step">Seconds between the points of a series: a longer pause between two points is a gap.</param>
    public static string Render(string title, string[] subtitle, IReadOnlyList<(DashboardPanel Panel, IReadOnlyList<PanelSeries> Series)> panels, double start, double end, double step)
    {
        var rows = panels.Max(p => p.Panel.Y + p.Panel.H);
        var header = 30 + (subtitle.Length * 14);
        var height = header + (rows * RowHeight) + Gap;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{height}" viewBox="0 0 {Width} {height}" font-family="Inter, Helvetica, Arial, sans-serif">""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<rect width="{Width}" height="{height}" fill="#111217"/>""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Gap + 4}" y="22" fill="#ccccdc" font-size="16" font-weight="600">{Escape(title)}</text>""").Append('\n');
        for (var line = 0; line < subtitle.Length; line++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Gap + 4}" y="{38 + (line * 14)}" fill="#8e8e9e" font-size="11">{Escape(subtitle[line])}</text>""").Append('\n');
        }

        var column = (Width - Gap) / 24.0;
        foreach (var (panel, series) in panels)
        {
            var x = Gap + (panel.X * column);
            var y = header + (panel.Y * RowHeight);
            DrawPanel(svg, panel.Title, series, x, y, (panel.W * column) - Gap, (panel.H * RowHeight) - Gap, start, end, step);
        }

        return svg.Append("</svg>\n").ToString();
    }

    private static void DrawPanel(StringBuilder svg, string title, IReadOnlyList<PanelSeries> series, double x, double y, double width, double height, double start, double end, double step)
    {
        svg.Append(CultureInfo.InvariantCulture, $"""<g transform="translate({x:F1},{y:F1})">""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<rect width="{width:F1}" height="{height:F1}" rx="3" fill="#181b1f" stroke="#2c3235"/>""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="10" y="19" fill="#ccccdc" font-size="12.5" font-weight="500">{Escape(title)}</text>""").Append('\n');

        var legendLines = LegendLayout(series, width - 20, out var legend);
        var (left, top, right, bottom) = (52.0, 30.0, width - 12, height - 20 - (legendLines * 15));
        var values = series.SelectMany(s => s.Points).Select(p => p.Value).Where(double.IsFinite).ToList();
        if (values.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{width / 2:F1}" y="{(top + bottom) / 2:F1}" fill="#8e8e9e" font-size="13" text-anchor="middle">No data</text>""").Append('\n');
            svg.Append("</g>\n");
            return;
        }

        var (min, max, tickStep) = Axis(Math.Min(0, values.Min()), values.Max());
        double X(double t) => left + ((t - start) / (end - start) * (right - left));
        double Y(double v) => bottom - ((v - min) / (max - min) * (bottom - top));

        for (var tick = min; tick <= max + (tickStep / 2); tick += tickStep)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{left:F1}" x2="{right:F1}" y1="{Y(tick):F1}" y2="{Y(tick):F1}" stroke="#2c3235"/>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{left - 6:F1}" y="{Y(tick) + 4:F1}" fill="#8e8e9e" font-size="10.5" text-anchor="end">{Short(tick)}</text>""").Append('\n');
        }

        var every = TimeStep(end - start);
        for (var t = Math.Ceiling(start / every) * every; t <= end; t += every)
        {
            var clock = DateTimeOffset.FromUnixTimeMilliseconds((long)(t * 1000)).UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{X(t):F1}" x2="{X(t):F1}" y1="{top:F1}" y2="{bottom:F1}" stroke="#22252b"/>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{X(t):F1}" y="{bottom + 14:F1}" fill="#8e8e9e" font-size="10.5" text-anchor="middle">{clock}</text>""").Append('\n');
        }

        for (var i = 0; i < series.Count; i++)
        {
            // A gap in the data (a step with no point, as a filter such as "== 1" leaves, or NaN and infinity as Prometheus
            // answers 0/0) breaks the line, as in Grafana.
            var path = new StringBuilder();
            var last = double.NegativeInfinity;
            foreach (var (time, value) in series[i].Points)
            {
                if (!double.IsFinite(value))
                {
                    last = double.NegativeInfinity;
                    continue;
                }

                path.Append(CultureInfo.InvariantCulture, $"{(time - last <= step * 1.5 ? 'L' : 'M')}{X(time):F1},{Y(value):F1} ");
                last = time;
            }

            svg.Append(CultureInfo.InvariantCulture, $"""<path d="{path.ToString().TrimEnd()}" fill="none" stroke="{Palette[i % Palette.Length]}" stroke-width="1.5" stroke-linejoin="round"/>""").Append('\n');
        }

        foreach (var (text, index, lx, line) in legend)
        {
            var ly = bottom + 30 + (line * 15);
            svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{10 + lx:F1}" y="{ly - 7:F1}" width="12" height="3" rx="1" fill="{(index < 0 ? "none" : Palette[index % Palette.Length])}"/>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{(index < 0 ? 10 : 26) + lx:F1}" y="{ly - 2:F1}" fill="#ccccdc" font-size="10.5">{Escape(text)}</text>""").Append('\n');
        }

        svg.Append("</g>\n");
    }

    /// <summary>Legend entries flowing left to right over at most two lines; what does not fit is counted, not drawn.</summary>
    private static int LegendLayout(IReadOnlyList<PanelSeries> series, double width, out List<(string Text, int Index, double X, int Line)> entries)
    {
        entries = [];
        var (x, line) = (0.0, 0);
        for (var i = 0; i < series.Count; i++)
        {
            var text = series[i].Legend.Length > 48 ? series[i].Legend[..47] + "…" : series[i].Legend;
            var entry = 22 + (text.Length * 6.0) + 14;
            if (x + entry > width && x > 0)
            {
                if (line == 1)
                {
                    entries.Add(($"+{series.Count - i} more", -1, x, line));
                    return 2;
                }

                (x, line) = (0, line + 1);
            }

            entries.Add((text, i, x, line));
            x += entry;
        }

        return series.Count == 0 ? 0 : line + 1;
    }

    /// <summary>An axis over [low, high] in four to five round steps (1, 2 or 5 times a power of ten).</summary>
    private static (double Min, double Max, double Step) Axis(double low, double high)
    {
        if (high - low < 1e-12)
        {
            high = low + (Math.Abs(low) > 0 ? Math.Abs(low) : 1);
        }

        var raw = (high - low) / 4;
        var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * power).First(s => s >= raw);
        return (Math.Floor(low / step) * step, Math.Ceiling(high / step) * step, step);
    }

    private static double TimeStep(double seconds) => seconds switch
    {
        <= 150 => 30,
        <= 300 => 60,
        <= 900 => 120,
        _ => 300,
    };

    /// <summary>Grafana's "short" unit: k and M suffixes, a few significant digits.</summary>
    private static string Short(double value)
    {
        var magnitude = Math.Abs(value);
        return magnitude switch
        {
            >= 1e6 => (value / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + " M",
            >= 1e3 => (value / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + " k",
            >= 1 or 0 => value.ToString("0.##", CultureInfo.InvariantCulture),
            _ => value.ToString("0.###", CultureInfo.InvariantCulture),
        };
    }

    private static string Escape(string text) => SecurityElement.Escape(text);
}
