using System.Globalization;

namespace Turnpike.Edge.Plugins.AiBudget;

/// <summary>
/// Budgets are counted in millionths of the currency unit ("micros"): fine enough for a call of a few tokens, and
/// coarse enough that a lease of the counters' usual size (10,000 permits, one cent) covers several calls.
/// Costs are rounded up to the micro per call, so a budget never undercounts.
/// </summary>
internal static class AiBudgetMoney
{
    public static long Micros(double units) => (long)Math.Round((decimal)units * 1_000_000m, MidpointRounding.AwayFromZero);

    /// <summary>A cost in nanos (the meters' unit), rounded up to the micro.</summary>
    public static long MicrosOfNanos(long nanos) => nanos <= 0 ? 0 : ((nanos - 1) / 1000) + 1;

    /// <summary>A header value in currency units: <c>12.5</c>, <c>0.000125</c>.</summary>
    public static string Text(long micros) => (micros / 1_000_000m).ToString("0.######", CultureInfo.InvariantCulture);
}
