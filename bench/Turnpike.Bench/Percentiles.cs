using System.Globalization;

namespace Turnpike.Bench;

internal static class Percentiles
{
    public static double Of(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public static string Summary(IReadOnlyList<double> ms) => string.Create(CultureInfo.InvariantCulture,
        $"n={ms.Count} p50={Of(ms, 50):F2} ms p90={Of(ms, 90):F2} ms p99={Of(ms, 99):F2} ms max={ms.Max():F2} ms");
}
