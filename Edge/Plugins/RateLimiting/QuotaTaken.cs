namespace Turnpike.Edge.Plugins.RateLimiting;

/// <summary>A cost taken from a counter for one request: enough to settle it once the real cost is known.</summary>
internal readonly record struct QuotaTaken(string Key, long Cost, long[]? Periods, long UnixSeconds);
