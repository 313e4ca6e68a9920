using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Routing;

/// <summary>One header condition of a route: any request value equal (ignoring case) to a listed value, or matching a <c>~*</c> regex.</summary>
internal sealed class HeaderRule
{
    private readonly string[] _values;
    private readonly Regex[] _patterns;

    public HeaderRule(string name, IEnumerable<string> values)
    {
        Name = name;
        var list = values.ToList();
        _values = [.. list.Where(v => !v.StartsWith("~*", StringComparison.Ordinal))];
        _patterns = [.. list.Where(v => v.StartsWith("~*", StringComparison.Ordinal))
            .Select(v => RouteRegex.Create(v[2..], RegexOptions.IgnoreCase))];
    }

    public string Name { get; }

    public bool Matches(IHeaderDictionary headers)
    {
        if (!headers.TryGetValue(Name, out var present))
        {
            return false;
        }

        foreach (var value in present)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var expected in _values)
            {
                if (string.Equals(value, expected, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            foreach (var pattern in _patterns)
            {
                if (pattern.IsMatch(value))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
