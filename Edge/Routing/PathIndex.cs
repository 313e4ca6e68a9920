using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Routing;

/// <summary>
/// The routes of one host condition, indexed by path. Prefix paths sit in a dictionary probed once per
/// distinct prefix length, so the cost depends on the request path, not on how many routes there are.
/// Regex paths are tried in priority order, as Kong does. Immutable: <see cref="With"/> derives the next
/// index touching only the prefixes a change names, so a change costs little however many routes there are.
/// </summary>
internal sealed class PathIndex
{
    public static readonly PathIndex Empty = new(new Dictionary<string, MatchEntry[]>(StringComparer.Ordinal), [], [], []);

    private readonly Dictionary<string, MatchEntry[]> _prefixes;
    private readonly Dictionary<string, MatchEntry[]>.AlternateLookup<ReadOnlySpan<char>> _prefixLookup;
    private readonly int[] _prefixLengths;
    private readonly MatchEntry[] _regexes;
    private readonly MatchEntry[] _withoutPath;

    private PathIndex(Dictionary<string, MatchEntry[]> prefixes, int[] prefixLengths, MatchEntry[] regexes, MatchEntry[] withoutPath)
    {
        _prefixes = prefixes;
        _prefixLookup = prefixes.GetAlternateLookup<ReadOnlySpan<char>>();
        _prefixLengths = prefixLengths;
        _regexes = regexes;
        _withoutPath = withoutPath;
    }

    public bool IsEmpty => _prefixes.Count == 0 && _regexes.Length == 0 && _withoutPath.Length == 0;

    /// <summary>This index without <paramref name="removed"/> and with <paramref name="added"/>.</summary>
    public PathIndex With(IReadOnlyCollection<MatchEntry> removed, IReadOnlyCollection<MatchEntry> added)
    {
        var gone = removed.Count == 0 ? null : new HashSet<MatchEntry>(removed, ReferenceEqualityComparer.Instance);
        var touched = new Dictionary<string, List<MatchEntry>>(StringComparer.Ordinal);
        var regexesChanged = false;
        var withoutPathChanged = false;
        foreach (var entry in removed.Concat(added))
        {
            if (entry.Regex is not null)
            {
                regexesChanged = true;
            }
            else if (entry.Prefix is { } prefix)
            {
                if (!touched.ContainsKey(prefix))
                {
                    touched[prefix] = [.. Remaining(_prefixes.GetValueOrDefault(prefix) ?? [], gone)];
                }
            }
            else
            {
                withoutPathChanged = true;
            }
        }

        foreach (var entry in added)
        {
            if (entry.Regex is null && entry.Prefix is { } prefix)
            {
                touched[prefix].Add(entry);
            }
        }

        var prefixes = new Dictionary<string, MatchEntry[]>(_prefixes, StringComparer.Ordinal);
        var keysChanged = false;
        foreach (var (prefix, entries) in touched)
        {
            if (entries.Count == 0)
            {
                keysChanged |= prefixes.Remove(prefix);
            }
            else
            {
                keysChanged |= prefixes.TryAdd(prefix, []);
                prefixes[prefix] = Sorted(entries);
            }
        }

        return new PathIndex(
            prefixes,
            keysChanged ? [.. prefixes.Keys.Select(k => k.Length).Distinct().OrderDescending()] : _prefixLengths,
            regexesChanged ? Sorted([.. Remaining(_regexes, gone), .. added.Where(e => e.Regex is not null)]) : _regexes,
            withoutPathChanged ? Sorted([.. Remaining(_withoutPath, gone), .. added.Where(e => e.Regex is null && e.Prefix is null)]) : _withoutPath);
    }

    /// <summary>Replaces <paramref name="best"/> with a better matching entry of this index, if there is one.</summary>
    public void Search(string method, string path, IHeaderDictionary headers, ref MatchEntry? best, ref int matchedLength)
    {
        foreach (var length in _prefixLengths)
        {
            if (length <= path.Length && _prefixLookup.TryGetValue(path.AsSpan(0, length), out var candidates))
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

    private static IEnumerable<MatchEntry> Remaining(MatchEntry[] entries, HashSet<MatchEntry>? gone) =>
        gone is null ? entries : entries.Where(e => !gone.Contains(e));

    private static MatchEntry[] Sorted(List<MatchEntry> entries)
    {
        entries.Sort(MatchEntry.BestFirst);
        return [.. entries];
    }
}
