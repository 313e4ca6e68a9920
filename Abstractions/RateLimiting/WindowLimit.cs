namespace Turnpike.RateLimiting;

/// <summary>At most <see cref="Limit"/> permits per period of <see cref="Window"/>.</summary>
[GenerateSerializer, Immutable]
public readonly record struct WindowLimit([property: Id(0)] RateLimitWindow Window, [property: Id(1)] long Limit);
