namespace Turnpike.Edge.Routing;

/// <summary>
/// Kong 3's route priority (router flavor traditional_compatible), one number per path entry:
/// match weight (how many of methods/hosts/headers/paths are set), plain hosts only, header count,
/// regex path, regex_priority (regex entries only), then path length. Higher wins.
/// </summary>
internal static class RoutePriority
{
    public static ulong Compute(RouteEntity route, bool regex, int pathLength)
    {
        ulong weight = 0;
        weight += route.Methods is { Length: > 0 } ? 1u : 0u;
        weight += route.Hosts is { Length: > 0 } ? 1u : 0u;
        weight += route.Headers is { Count: > 0 } ? 1u : 0u;
        weight += route.Paths is { Length: > 0 } ? 1u : 0u;
        var plainHostsOnly = route.Hosts is { Length: > 0 } hosts && !hosts.Any(h => h.Contains('*', StringComparison.Ordinal));
        var headerCount = (ulong)Math.Min(route.Headers?.Count ?? 0, 255);
        var regexPriority = regex ? (ulong)(uint)Math.Max(route.RegexPriority, 0) : 0;
        return (weight << 61)
            | ((plainHostsOnly ? 1UL : 0UL) << 60)
            | (headerCount << 52)
            | ((regex ? 1UL : 0UL) << 51)
            | ((regexPriority & 0xFFFFFFFF) << 19)
            | ((ulong)pathLength & 0x7FFFF);
    }
}
