namespace Turnpike.RateLimiting;

/// <summary>Kong's rate-limiting windows. Each is aligned to the UTC clock: a minute starts at :00, a month on the 1st.</summary>
public enum RateLimitWindow
{
    Second,
    Minute,
    Hour,
    Day,
    Month,
    Year,
}
