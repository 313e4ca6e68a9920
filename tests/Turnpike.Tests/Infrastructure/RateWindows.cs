namespace Turnpike.Tests.Infrastructure;

/// <summary>Rate-limit windows are aligned to the UTC clock; tests that count within one window start well inside it.</summary>
internal static class RateWindows
{
    /// <summary>Waits for the next window when fewer than <paramref name="margin"/> (default 15 s) remain in the current one.</summary>
    public static async Task AwayFromTheEndOfAsync(TimeSpan window, TimeSpan? margin = null)
    {
        var left = TimeUntilNext(window);
        if (left < (margin ?? TimeSpan.FromSeconds(15)))
        {
            await Task.Delay(left + TimeSpan.FromMilliseconds(50));
        }
    }

    public static TimeSpan TimeUntilNext(TimeSpan window)
    {
        var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var size = (long)window.TotalMilliseconds;
        return TimeSpan.FromMilliseconds(size - (nowMs % size));
    }
}
