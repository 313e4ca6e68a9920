using System.Globalization;

namespace Turnpike.Edge.Plugins.ResponseRateLimiting;

/// <summary>
/// Kong's <c>X-Kong-Limit</c> header from the upstream: <c>videos=2, images=1</c>. Parts that are not
/// <c>name=value</c>, name a limit not configured, or whose value is not a whole number from 0 to
/// <see cref="MaxIncrement"/> are ignored (Kong's <c>tonumber</c> took fractions and negatives; an upstream cannot
/// hand quota back here). A name given twice counts by its last value, as in Kong.
/// </summary>
internal static class UsageHeader
{
    /// <summary>A larger report is an upstream's mistake, not a usage: ignoring it keeps counters far from overflow.</summary>
    public const long MaxIncrement = 1_000_000_000;

    /// <summary>Fills <paramref name="increments"/> (one per limit, in configuration order) from <paramref name="value"/>.</summary>
    public static void Parse(ReadOnlySpan<char> value, ResponseLimit[] limits, Span<long> increments)
    {
        foreach (var range in value.Split(','))
        {
            var part = value[range];
            var equals = part.IndexOf('=');
            if (equals < 0 || part[(equals + 1)..].Contains('='))
            {
                continue;
            }

            var name = part[..equals].Trim();
            var number = part[(equals + 1)..].Trim();
            var index = IndexOf(limits, name);
            if (index >= 0 && long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var increment) && increment <= MaxIncrement)
            {
                increments[index] = increment;
            }
        }
    }

    private static int IndexOf(ResponseLimit[] limits, ReadOnlySpan<char> name)
    {
        for (var i = 0; i < limits.Length; i++)
        {
            if (name.SequenceEqual(limits[i].Name))
            {
                return i;
            }
        }

        return -1;
    }
}
