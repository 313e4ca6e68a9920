using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Routing;

/// <summary>
/// Finds the route for a request by Kong's rules: exact hosts and wildcard hosts index the routes by host,
/// each host's routes are indexed by path, and among everything that matches the highest priority wins.
/// Immutable; each route table version derives its matcher from the previous one with <see cref="With"/>,
/// which rebuilds only the host and path indexes the changed routes are in.
/// </summary>
internal sealed class RouteMatcher
{
    public static readonly RouteMatcher Empty = new(
        new Dictionary<string, PathIndex>(StringComparer.OrdinalIgnoreCase), new Dictionary<string, PathIndex>(StringComparer.OrdinalIgnoreCase), PathIndex.Empty, 0);

    private readonly Dictionary<string, PathIndex> _exact;
    private readonly Dictionary<string, PathIndex>.AlternateLookup<ReadOnlySpan<char>> _exactHosts;
    private readonly Dictionary<string, PathIndex> _wildcard;
    private readonly (WildcardHost Host, PathIndex Index)[] _wildcardHosts;
    private readonly PathIndex _anyHost;

    private RouteMatcher(Dictionary<string, PathIndex> exact, Dictionary<string, PathIndex> wildcard, PathIndex anyHost, int routeCount)
    {
        _exact = exact;
        _exactHosts = exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcard = wildcard;
        _wildcardHosts = [.. wildcard.Select(w => (WildcardHost.Parse(w.Key), w.Value))];
        _anyHost = anyHost;
        RouteCount = routeCount;
    }

    /// <summary>A matcher of <paramref name="routes"/>.</summary>
    public static RouteMatcher Of(IReadOnlyCollection<CompiledRoute> routes) => Empty.With([], routes);

    /// <summary>This matcher without <paramref name="removed"/> and with <paramref name="added"/>.</summary>
    public RouteMatcher With(IReadOnlyCollection<CompiledRoute> removed, IReadOnlyCollection<CompiledRoute> added)
    {
        // Per host condition (null: routes without hosts), the entries that leave and the entries that come.
        var changes = new Dictionary<string, (List<MatchEntry> Removed, List<MatchEntry> Added)>(StringComparer.OrdinalIgnoreCase);
        var anyHost = (Removed: new List<MatchEntry>(), Added: new List<MatchEntry>());
        Collect(removed, adding: false);
        Collect(added, adding: true);

        Dictionary<string, PathIndex>? exact = null;
        Dictionary<string, PathIndex>? wildcard = null;
        foreach (var (host, change) in changes)
        {
            var target = host.Contains('*', StringComparison.Ordinal)
                ? wildcard ??= new Dictionary<string, PathIndex>(_wildcard, StringComparer.OrdinalIgnoreCase)
                : exact ??= new Dictionary<string, PathIndex>(_exact, StringComparer.OrdinalIgnoreCase);
            var index = (target.GetValueOrDefault(host) ?? PathIndex.Empty).With(change.Removed, change.Added);
            if (index.IsEmpty)
            {
                target.Remove(host);
            }
            else
            {
                target[host] = index;
            }
        }

        var any = anyHost.Removed.Count + anyHost.Added.Count == 0 ? _anyHost : _anyHost.With(anyHost.Removed, anyHost.Added);
        return new RouteMatcher(exact ?? _exact, wildcard ?? _wildcard, any, RouteCount - removed.Count + added.Count);

        void Collect(IReadOnlyCollection<CompiledRoute> routes, bool adding)
        {
            foreach (var route in routes)
            {
                if (route.Entity.Hosts is not { Length: > 0 } hosts)
                {
                    (adding ? anyHost.Added : anyHost.Removed).AddRange(route.Entries);
                    continue;
                }

                foreach (var host in hosts)
                {
                    if (!changes.TryGetValue(host, out var change))
                    {
                        changes[host] = change = ([], []);
                    }

                    (adding ? change.Added : change.Removed).AddRange(route.Entries);
                }
            }
        }
    }

    public int RouteCount { get; }

    /// <param name="host">The request's Host header, with its port if it had one.</param>
    public RouteMatch? Match(string method, string host, string path, IHeaderDictionary headers)
    {
        MatchEntry? best = null;
        var matchedLength = -1;
        var hostOnly = WildcardHost.WithoutPort(host, out var port);
        if (_exactHosts.TryGetValue(host, out var index))
        {
            index.Search(method, path, headers, ref best, ref matchedLength);
        }

        if (hostOnly.Length != host.Length && _exactHosts.TryGetValue(hostOnly, out index))
        {
            index.Search(method, path, headers, ref best, ref matchedLength);
        }

        foreach (var (wildcard, wildcardIndex) in _wildcardHosts)
        {
            if (wildcard.Matches(hostOnly, port))
            {
                wildcardIndex.Search(method, path, headers, ref best, ref matchedLength);
            }
        }

        _anyHost.Search(method, path, headers, ref best, ref matchedLength);
        return best is null ? null : new RouteMatch(best.Route, matchedLength, best.Prefix);
    }
}

/// <summary>Compiled path regexes, anchored at the start as Kong anchors them, reused across snapshots.</summary>
internal sealed class RegexCache
{
    private readonly Dictionary<string, Regex> _compiled = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public Regex Get(string pattern)
    {
        lock (_lock)
        {
            if (!_compiled.TryGetValue(pattern, out var regex))
            {
                _compiled[pattern] = regex = RouteRegex.Create(RouteRegex.AtStart(pattern));
            }

            return regex;
        }
    }
}
