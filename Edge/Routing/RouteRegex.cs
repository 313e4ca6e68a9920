using System.Text.RegularExpressions;

namespace Turnpike.Edge.Routing;

/// <summary>
/// Regexes an admin writes and a client's text is matched against (route paths, header conditions, CORS origins).
/// They run on .NET's non-backtracking engine, whose time is linear in the input whatever the pattern, so no
/// pattern can be driven into catastrophic backtracking (<c>(a+)+$</c>). Patterns that engine cannot run
/// (backreferences, lookarounds, atomic groups) fall back to the backtracking engine under <see cref="Timeout"/>;
/// a match that times out is the client's 400, not an error of the gateway.
/// </summary>
internal static class RouteRegex
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(20);

    public static Regex Create(string pattern, RegexOptions options = RegexOptions.None)
    {
        options |= RegexOptions.CultureInvariant;
        try
        {
            return new Regex(pattern, options | RegexOptions.NonBacktracking, Timeout);
        }
        catch (NotSupportedException)
        {
            return new Regex(pattern, options, Timeout);
        }
    }
}
