using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Routing;

/// <summary>
/// Finds the route for a request by Kong's rules: exact hosts and wildcard hosts index the routes by host,
/// each host's routes are indexed by path, and among everything that matches the highest priority wins.
/// Immutable; built once per route table version.
/// </summary>
internal sealed class RouteMatcher
{
    private readonly Dictionary<string, PathIndex>.AlternateLookup<ReadOnlySpan<char>> _exactHosts;
    private readonly (WildcardHost Host, PathIndex Index)[] _wildcardHosts;
    private readonly PathIndex _anyHost;

    public RouteMatcher(IEnumerable<CompiledRoute> routes)
    {
        var exact = new Dictionary<string, List<MatchEntry>>(StringComparer.OrdinalIgnoreCase);
        var wildcard = new Dictionary<string, List<MatchEntry>>(StringComparer.OrdinalIgnoreCase);
        var any = new List<MatchEntry>();
        var count = 0;
        foreach (var route in routes)
        {
            count++;
            var entries = route.Entries;
            if (route.Entity.Hosts is not { Length: > 0 } hosts)
            {
                any.AddRange(entries);
                continue;
            }

            foreach (var host in hosts)
            {
                var target = host.Contains('*', StringComparison.Ordinal) ? wildcard : exact;
                if (!target.TryGetValue(host, out var list))
                {
                    target[host] = list = [];
                }

                list.AddRange(entries);
            }
        }

        RouteCount = count;
        _exactHosts = exact.ToDictionary(e => e.Key, e => new PathIndex(e.Value), StringComparer.OrdinalIgnoreCase)
            .GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcardHosts = [.. wildcard.Select(w => (WildcardHost.Parse(w.Key), new PathIndex(w.Value)))];
        _anyHost = new PathIndex(any);
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
                _compiled[pattern] = regex = new Regex("^(?:" + pattern + ")", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            }

            return regex;
        }
    }
}
