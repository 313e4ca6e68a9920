using System.Globalization;

namespace Turnpike.Edge.Proxy;

/// <summary>
/// A number as header text. Values below 1,000 (latencies in milliseconds, seconds until a rate-limit window resets)
/// come from a table made once, so the common headers cost no new string per request.
/// </summary>
internal static class NumberText
{
    private static readonly string[] Small = [.. Enumerable.Range(0, 1000).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    public static string Of(long value) => value >= 0 && value < Small.Length ? Small[value] : value.ToString(CultureInfo.InvariantCulture);
}
