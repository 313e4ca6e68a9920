namespace Turnpike.RateLimiting;

/// <summary>
/// How a counter grants permits, shared by the cluster counter and the global one: against every window's current
/// period (by the counter's clock), never beyond a limit; permits handed back are credited to the windows still in the
/// period they were granted in. Pure: the caller stores <see cref="Result.Counts"/> before answering.
/// </summary>
internal static class WindowGrants
{
    public readonly record struct Result(QuotaGrant Grant, Dictionary<RateLimitWindow, WindowCount> Counts, bool Changed);

    /// <param name="shareOfRemaining">The most one grant takes of what a window has left (at least one permit): below 1, askers share what is left.</param>
    public static Result Grant(
        IReadOnlyDictionary<RateLimitWindow, WindowCount> known, WindowLimit[] limits, long wanted, ReadOnlySpan<QuotaReturn> returns, long nowMs, TimeSpan maxLease, double shareOfRemaining = 1)
    {
        var now = nowMs / 1000;
        var next = new Dictionary<RateLimitWindow, WindowCount>(limits.Length);
        var periods = new long[limits.Length];
        var granted = Math.Max(0, wanted);
        var changed = false;
        for (var i = 0; i < limits.Length; i++)
        {
            var (window, limit) = limits[i];
            periods[i] = RateLimitPeriods.Start(window, now);
            var count = known.TryGetValue(window, out var held) && held.Period == periods[i] ? held.Granted : 0;
            foreach (var (permits, returnedPeriods) in returns)
            {
                // Returned permits (or, negative, a charge for costs settled beyond what was leased) count in each
                // window whose period is still the one they were granted in.
                if (permits != 0 && returnedPeriods.Length == limits.Length && returnedPeriods[i] == periods[i])
                {
                    count = Math.Max(0, count - permits);
                    changed = true;
                }
            }

            next[window] = new WindowCount(periods[i], count);
            var left = Math.Max(0, limit - count);
            granted = Math.Min(granted, shareOfRemaining < 1 ? Math.Min(left, Math.Max(1, (long)Math.Ceiling(left * shareOfRemaining))) : left);
        }

        var remaining = new long[limits.Length];
        var reset = new long[limits.Length];
        var shortestEnd = long.MaxValue;
        for (var i = 0; i < limits.Length; i++)
        {
            var (window, limit) = limits[i];
            var count = next[window].Granted + granted;
            next[window] = new WindowCount(periods[i], count);
            remaining[i] = Math.Max(0, limit - count);
            var end = RateLimitPeriods.End(window, now);
            reset[i] = end - now;
            shortestEnd = Math.Min(shortestEnd, end);
        }

        var validFor = Math.Min((shortestEnd * 1000) - nowMs, (long)maxLease.TotalMilliseconds);
        var grant = new QuotaGrant { Granted = granted, Periods = periods, Remaining = remaining, ResetSeconds = reset, ValidForMs = Math.Max(0, validFor) };
        return new Result(grant, next, granted > 0 || changed);
    }
}
