namespace Turnpike.Edge.Plugins.RateLimiting;

/// <summary>A cost taken from a counter for one request: enough to settle it once the real cost is known.</summary>
/// <remarks><paramref name="Periods"/>: the cluster lease's periods the cost came from; null for a local count, taken at <paramref name="UnixSeconds"/>.</remarks>
internal readonly record struct QuotaTaken(string Key, long Cost, long[]? Periods, long UnixSeconds);
