using Turnpike.RateLimiting;

namespace Turnpike.Edge.Plugins.ResponseRateLimiting;

/// <summary>One named limit of response-ratelimiting (Kong's <c>config.limits.{name}</c>): its windows, shortest first.</summary>
internal sealed record ResponseLimit(string Name, WindowLimit[] Windows);
