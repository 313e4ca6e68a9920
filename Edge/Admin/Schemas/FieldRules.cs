using System.Net;
using System.Text.RegularExpressions;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>Kong's field checks shared by the schemas; each returns an error message or null.</summary>
internal static partial class FieldRules
{
    public static string? Name(string value) => NameChars().IsMatch(value)
        ? null
        : $"invalid value '{value}': the only accepted ascii characters are alphanumerics or ., -, _, and ~";

    public static string? Tag(string value) =>
        value.Length > 0 && value.All(c => c > ' ' && c < 127 && c != ',' && c != '/') ? null : "invalid tag '" + value + "': expected printable ascii (except `,` and `/`) or valid utf-8 sequences";

    public static string? Hostname(string value)
    {
        if (IPAddress.TryParse(value.Trim('[', ']'), out _))
        {
            return null;
        }

        return HostnameChars().IsMatch(value) ? null : $"invalid hostname: {value}";
    }

    /// <summary>A route host: hostname or IP, optionally <c>:port</c>, with at most one wildcard at either end.</summary>
    public static string? RouteHost(string value)
    {
        var host = value;
        var colon = value.LastIndexOf(':');
        if (colon > 0 && !value.EndsWith(']') && value.IndexOf(':') == colon)
        {
            if (!int.TryParse(value.AsSpan(colon + 1), out var port) || port is < 0 or > 65535)
            {
                return "invalid port number";
            }

            host = value[..colon];
        }

        var stars = host.Count(c => c == '*');
        if (stars > 1)
        {
            return "invalid wildcard: must have at most one wildcard";
        }

        if (stars == 1)
        {
            if (!(host.StartsWith("*.", StringComparison.Ordinal) || host.EndsWith(".*", StringComparison.Ordinal)))
            {
                return "invalid wildcard: must be placed at leftmost or rightmost label";
            }

            host = host.StartsWith('*') ? "x" + host[1..] : host[..^1] + "x";
        }

        return Hostname(host);
    }

    /// <summary>
    /// A TLS server name (Kong's <c>wildcard_host</c>, as an SNI's <c>name</c>): a host name, or a wildcard with one
    /// <c>*</c> as the whole leftmost or rightmost label (<c>*.example.com</c>, <c>example.*</c>); no IP, no port.
    /// </summary>
    public static string? ServerName(string value)
    {
        var stars = value.Count(c => c == '*');
        if (stars > 1)
        {
            return "only one wildcard must be specified";
        }

        var host = value;
        if (stars == 1)
        {
            if (value[0] != '*' && value[^1] != '*')
            {
                return "wildcard must be leftmost or rightmost character";
            }

            // The edge's lookup knows whole-label wildcards only; "*example.com" would never be served.
            if (!value.StartsWith("*.", StringComparison.Ordinal) && !value.EndsWith(".*", StringComparison.Ordinal))
            {
                return "invalid wildcard: must be placed at leftmost or rightmost label";
            }

            host = value.Replace("*", "wildcard", StringComparison.Ordinal);
        }

        var bare = host.Trim('[', ']');
        if (IPAddress.TryParse(bare, out var address)
            && (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || bare.Count(c => c == '.') == 3))
        {
            return "must not be an IP";
        }

        var colon = host.LastIndexOf(':');
        if (colon > 0 && host.IndexOf(':') == colon && colon + 1 < host.Length && host.AsSpan(colon + 1).IndexOfAnyExceptInRange('0', '9') < 0)
        {
            return "must not have a port";
        }

        // No trailing dot: a client's server name never has one (RFC 6066 3).
        return HostnameChars().IsMatch(host) && !host.EndsWith('.') ? null : $"invalid value: {value}";
    }

    public static string? RoutePath(string value)
    {
        if (value.StartsWith("~/", StringComparison.Ordinal))
        {
            return Routing.RouteRegex.Problem(value[1..]);
        }

        if (!value.StartsWith('/'))
        {
            return "should start with: / (fixed path) or ~/ (regex path)";
        }

        if (value.Contains("//", StringComparison.Ordinal))
        {
            return "must not have empty segments";
        }

        return value.Contains('?', StringComparison.Ordinal) || value.Contains('#', StringComparison.Ordinal)
            ? "must not have a query string or fragment"
            : null;
    }

    public static string? ServicePath(string value) =>
        !value.StartsWith('/') ? "should start with: /"
        : value.Contains('?', StringComparison.Ordinal) || value.Contains('#', StringComparison.Ordinal) ? "must not have a query string or fragment"
        : value.Contains("//", StringComparison.Ordinal) ? "must not have empty segments"
        : null;

    public static string? Method(string value) => UpperCase().IsMatch(value) ? null : "invalid value: " + value;

    public static string? HeaderName(string value) => Turnpike.Edge.Schema.TextRules.HeaderName(value);

    [GeneratedRegex("^[A-Za-z0-9._~-]+$")]
    private static partial Regex NameChars();

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$")]
    private static partial Regex HostnameChars();

    [GeneratedRegex("^[A-Z]+$")]
    private static partial Regex UpperCase();
}
