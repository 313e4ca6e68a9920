using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Routing;

/// <summary>
/// The routes of one host condition, indexed by path. Prefix paths sit in a dictionary probed once per
/// distinct prefix length, so the cost depends on the request path, not on how many routes there are.
/// Regex paths are tried in priority order, as Kong does.
/// </summary>
internal sealed class PathIndex
{
    private readonly Dictionary<string, MatchEntry[]>.AlternateLookup<ReadOnlySpan<char>> _prefixes;
    private readonly int[] _prefixLengths;
    private readonly MatchEntry[] _regexes;
    private readonly MatchEntry[] _withoutPath;

    public PathIndex(IEnumerable<MatchEntry> entries)
    {
        var prefixes = new Dictionary<string, List<MatchEntry>>(StringComparer.Ordinal);
        var regexes = new List<MatchEntry>();
        var withoutPath = new List<MatchEntry>();
        foreach (var entry in entries)
        {
            if (entry.Regex is not null)
            {
                regexes.Add(entry);
            }
            else if (entry.Prefix is { } prefix)
            {
                if (!prefixes.TryGetValue(prefix, out var list))
                {
                    prefixes[prefix] = list = [];
                }

                list.Add(entry);
            }
            else
            {
                withoutPath.Add(entry);
            }
        }

        var sorted = prefixes.ToDictionary(p => p.Key, p => Sorted(p.Value), StringComparer.Ordinal);
        _prefixes = sorted.GetAlternateLookup<ReadOnlySpan<char>>();
        _prefixLengths = [.. sorted.Keys.Select(k => k.Length).Distinct().OrderDescending()];
        _regexes = Sorted(regexes);
        _withoutPath = Sorted(withoutPath);
    }

    /// <summary>Replaces <paramref name="best"/> with a better matching entry of this index, if there is one.</summary>
    public void Search(string method, string path, IHeaderDictionary headers, ref MatchEntry? best, ref int matchedLength)
    {
        foreach (var length in _prefixLengths)
        {
            if (length <= path.Length && _prefixes.TryGetValue(path.AsSpan(0, length), out var candidates))
            {
                foreach (var entry in candidates)
                {
                    if (!entry.Beats(best))
                    {
                        break;
                    }

                    if (entry.Route.Matches(method, headers))
                    {
                        best = entry;
                        matchedLength = length;
                        break;
                    }
                }
            }
        }

        foreach (var entry in _regexes)
        {
            if (!entry.Beats(best))
            {
                break;
            }

            if (entry.Route.Matches(method, headers) && entry.Regex!.Match(path) is { Success: true } match)
            {
                best = entry;
                matchedLength = match.Length;
                break;
            }
        }

        foreach (var entry in _withoutPath)
        {
            if (!entry.Beats(best))
            {
                break;
            }

            if (entry.Route.Matches(method, headers))
            {
                best = entry;
                matchedLength = -1;
                break;
            }
        }
    }

    private static MatchEntry[] Sorted(List<MatchEntry> entries)
    {
        entries.Sort(MatchEntry.BestFirst);
        return [.. entries];
    }
}
