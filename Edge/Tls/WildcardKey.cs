namespace Turnpike.Edge.Tls;

/// <summary>
/// The wildcard SNI names that could cover a server name, spelled as they are stored (Kong's keys): the first label
/// replaced, <c>*.example.com</c> for <c>api.example.com</c>, and the last label replaced, <c>api.example.*</c>.
/// Built in the caller's stack buffer, so a handshake's lookup allocates nothing for any name of DNS length.
/// </summary>
internal static class WildcardKey
{
    /// <summary>Longer than any DNS name (253); a longer server name costs one string.</summary>
    public const int MaxLength = 256;

    /// <summary><c>*</c> and the name from its first dot on.</summary>
    public static ReadOnlySpan<char> Leading(string serverName, int firstDot, Span<char> buffer)
    {
        var rest = serverName.AsSpan(firstDot);
        if (rest.Length + 1 > buffer.Length)
        {
            return string.Concat("*", rest);
        }

        buffer[0] = '*';
        rest.CopyTo(buffer[1..]);
        return buffer[..(rest.Length + 1)];
    }

    /// <summary>The name up to and including its last dot, and <c>*</c>.</summary>
    public static ReadOnlySpan<char> Trailing(string serverName, int lastDot, Span<char> buffer)
    {
        var start = serverName.AsSpan(0, lastDot + 1);
        if (start.Length + 1 > buffer.Length)
        {
            return string.Concat(start, "*");
        }

        start.CopyTo(buffer);
        buffer[start.Length] = '*';
        return buffer[..(start.Length + 1)];
    }
}
