using System.Text.RegularExpressions;

namespace Turnpike.Edge.Routing;

/// <summary>
/// Regexes an admin writes and a client's text is matched against (route paths, header conditions, CORS origins).
/// They run on .NET's non-backtracking engine, whose time is linear in the input whatever the pattern, so no
/// pattern can be driven into catastrophic backtracking (<c>(a+)+$</c>). Patterns that engine cannot run
/// (backreferences, lookarounds, atomic groups, conditionals) are refused when written (<see cref="Problem"/>);
/// one that reached a table some other way runs on the backtracking engine under <see cref="Timeout"/>, and a
/// match that times out is the client's 400, not an error of the gateway.
/// </summary>
internal static class RouteRegex
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(20);

    private static readonly Regex MatchesNothing = new("[^\\s\\S]", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    /// <summary>A route path's pattern as it is compiled: anchored at the path's start, as Kong anchors it.</summary>
    public static string AtStart(string pattern) => "^(?:" + pattern + ")";

    /// <summary>A pattern that must match the whole text (a CORS origin) as it is compiled.</summary>
    public static string Whole(string pattern) => "^(?:" + pattern + ")$";

    /// <summary>
    /// Why an admin's pattern is refused, or null: it must parse and be runnable in linear time, on its own and in
    /// each form it is compiled in. The forms are checked themselves because a pattern can change what wraps it:
    /// under <c>(?x)</c> a <c>#</c> comments out the closing parenthesis of <see cref="AtStart"/>.
    /// </summary>
    public static string? Problem(string pattern, RegexOptions options = RegexOptions.None)
    {
        try
        {
            foreach (var form in (string[])[pattern, AtStart(pattern), Whole(pattern)])
            {
                _ = new Regex(form, options | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
            }

            return null;
        }
        catch (NotSupportedException)
        {
            return $"invalid regex: '{pattern}' (backreferences, lookarounds, atomic groups and conditionals are not supported: matching must take linear time)";
        }
        catch (ArgumentException ex)
        {
            return $"invalid regex: '{pattern}' ({ex.Message})";
        }
    }

    /// <summary>
    /// The compiled pattern. One that does not parse (it reached a table without <see cref="Problem"/>, say from an
    /// older release's storage) matches nothing rather than stopping the whole table from being applied.
    /// </summary>
    public static Regex Create(string pattern, RegexOptions options = RegexOptions.None)
    {
        options |= RegexOptions.CultureInvariant;
        try
        {
            // One match when the table is built: the engine's first match in a process (compiling its matcher, the
            // first states) can take longer than Timeout on a loaded machine, and would fail a client's request.
            var regex = new Regex(pattern, options | RegexOptions.NonBacktracking, Timeout);
            try
            {
                _ = regex.IsMatch("/");
            }
            catch (RegexMatchTimeoutException)
            {
            }

            return regex;
        }
        catch (NotSupportedException)
        {
            return new Regex(pattern, options, Timeout);
        }
        catch (ArgumentException)
        {
            return MatchesNothing;
        }
    }

}
