namespace Turnpike.Edge.Routing;

/// <summary>A host with a leading (<c>*.example.com</c>) or trailing (<c>example.*</c>) wildcard label, optionally with a port.</summary>
internal sealed class WildcardHost
{
    private readonly string _suffix = "";
    private readonly string _prefix = "";
    private readonly int? _port;

    private WildcardHost(string suffix, string prefix, int? port)
    {
        _suffix = suffix;
        _prefix = prefix;
        _port = port;
    }

    public static WildcardHost Parse(string pattern)
    {
        var host = WithoutPort(pattern, out var port);
        return host.StartsWith("*.", StringComparison.Ordinal)
            ? new WildcardHost(host[1..].ToString(), "", port)
            : new WildcardHost("", host[..^1].ToString(), port);
    }

    public bool Matches(ReadOnlySpan<char> host, int? port)
    {
        if (_port is not null && _port != port)
        {
            return false;
        }

        return _suffix.Length > 0
            ? host.Length > _suffix.Length && host.EndsWith(_suffix, StringComparison.OrdinalIgnoreCase)
            : host.Length > _prefix.Length && host.StartsWith(_prefix, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The host without a trailing <c>:port</c> (IPv6 literals keep their brackets).</summary>
    public static ReadOnlySpan<char> WithoutPort(string host, out int? port)
    {
        port = null;
        var colon = host.LastIndexOf(':');
        if (colon < 0 || host.IndexOf(']', colon) >= 0 || (host.IndexOf(':') != colon && !host.StartsWith('[')))
        {
            return host;
        }

        if (int.TryParse(host.AsSpan(colon + 1), out var parsed))
        {
            port = parsed;
        }

        return host.AsSpan(0, colon);
    }
}
