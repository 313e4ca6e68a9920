namespace Turnpike.RateLimiting;

/// <summary>Where a window's current period starts and ends (unix seconds, UTC), the same on every node.</summary>
public static class RateLimitPeriods
{
    public static long Start(RateLimitWindow window, long now) => window switch
    {
        RateLimitWindow.Second => now,
        RateLimitWindow.Minute => now - (now % 60),
        RateLimitWindow.Hour => now - (now % 3600),
        RateLimitWindow.Day => now - (now % 86400),
        RateLimitWindow.Month => Calendar(now, month: true),
        RateLimitWindow.Year => Calendar(now, month: false),
        _ => throw new ArgumentOutOfRangeException(nameof(window)),
    };

    public static long End(RateLimitWindow window, long now)
    {
        var start = Start(window, now);
        return window switch
        {
            RateLimitWindow.Second => start + 1,
            RateLimitWindow.Minute => start + 60,
            RateLimitWindow.Hour => start + 3600,
            RateLimitWindow.Day => start + 86400,
            RateLimitWindow.Month => DateTimeOffset.FromUnixTimeSeconds(start).AddMonths(1).ToUnixTimeSeconds(),
            _ => DateTimeOffset.FromUnixTimeSeconds(start).AddYears(1).ToUnixTimeSeconds(),
        };
    }

    private static long Calendar(long now, bool month)
    {
        var date = DateTimeOffset.FromUnixTimeSeconds(now);
        return new DateTimeOffset(date.Year, month ? date.Month : 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
    }
}
