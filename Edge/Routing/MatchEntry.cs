using System.Text.RegularExpressions;

namespace Turnpike.Edge.Routing;

/// <summary>One path of one route (or a route without paths), with the priority Kong gives it.</summary>
internal sealed class MatchEntry(CompiledRoute route, ulong priority, string? prefix, Regex? regex)
{
    public CompiledRoute Route { get; } = route;

    public ulong Priority { get; } = priority;

    public string? Prefix { get; } = prefix;

    public Regex? Regex { get; } = regex;

    /// <summary>Whether this entry would win over <paramref name="best"/>; at equal priority the higher route id wins, as in Kong.</summary>
    public bool Beats(MatchEntry? best) =>
        best is null || Priority > best.Priority || (Priority == best.Priority && Route.Id.CompareTo(best.Route.Id) > 0);

    public static IReadOnlyList<MatchEntry> For(CompiledRoute route, RegexCache regexes)
    {
        var entity = route.Entity;
        if (entity.Paths is not { Length: > 0 } paths)
        {
            return [new MatchEntry(route, RoutePriority.Compute(entity, regex: false, 0), null, null)];
        }

        var entries = new MatchEntry[paths.Length];
        var regexLength = paths.Where(IsRegex).Select(p => p.Length - 1).DefaultIfEmpty(0).Max();
        for (var i = 0; i < paths.Length; i++)
        {
            var path = paths[i];
            entries[i] = IsRegex(path)
                ? new MatchEntry(route, RoutePriority.Compute(entity, regex: true, regexLength), null, regexes.Get(path[1..]))
                : new MatchEntry(route, RoutePriority.Compute(entity, regex: false, path.Length), path, null);
        }

        return entries;

        static bool IsRegex(string path) => path.StartsWith('~');
    }

    /// <summary>Orders entries best first.</summary>
    public static int BestFirst(MatchEntry a, MatchEntry b)
    {
        var byPriority = b.Priority.CompareTo(a.Priority);
        return byPriority != 0 ? byPriority : b.Route.Id.CompareTo(a.Route.Id);
    }
}
