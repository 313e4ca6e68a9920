using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;

namespace Turnpike.Edge.Proxy;

/// <summary>
/// The one rule for the headers of an upstream request (docs/security.md, "Upstream headers"):
/// <list type="number">
/// <item>Names the gateway owns — the identity headers of the auth plugins and the forwarding headers — never come
/// from the client: <see cref="RemoveClientCopies"/> drops every client copy before any plugin runs, in either
/// spelling (<c>X-Consumer-ID</c>, <c>X_Consumer_ID</c>: many servers read both alike).</item>
/// <item>Hop-by-hop headers are dropped by the forwarder (YARP), as RFC 9110 asks.</item>
/// <item>Every value the gateway builds from text (a path, a consumer's name, a group, a plugin's value) goes
/// through <see cref="Safe"/>: printable ASCII stays as it is, anything else — CR, LF, NUL, other controls,
/// non-ASCII — is percent-encoded as UTF-8, so no value can start a header line or break the request.</item>
/// </list>
/// </summary>
internal static class UpstreamRequestHeaders
{
    /// <summary>Set by the gateway from what it verified; a client's copy would be a forged identity.</summary>
    private static readonly string[] Owned =
    [
        "X-Consumer-ID", "X-Consumer-Username", "X-Consumer-Custom-ID", "X-Consumer-Groups", "X-Credential-Identifier",
        "X-Anonymous-Consumer", "X-Anonymous-Groups", "X-Authenticated-Groups", "X-Authenticated-Scope", "X-Authenticated-Userid",
        "X-Credential-Username", "Forwarded", "X-Real-IP",
    ];

    /// <summary>
    /// The forwarding headers the gateway sets itself; their client copies with dashes are replaced (or, for
    /// X-Forwarded-For, appended to, as Kong does), and their underscore spellings dropped.
    /// </summary>
    private static readonly string[] Forwarding =
    [
        "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Path", "X-Forwarded-Prefix",
    ];

    /// <summary>Drops every client copy of a gateway-owned header (and the underscore spellings of the forwarding ones).</summary>
    public static void RemoveClientCopies(IHeaderDictionary headers)
    {
        List<string>? remove = null;
        foreach (var (name, _) in headers)
        {
            if (IsOwnedByGateway(name))
            {
                (remove ??= []).Add(name);
            }
        }

        foreach (var name in remove ?? [])
        {
            headers.Remove(name);
        }
    }

    /// <summary>True for a name only the gateway may send upstream.</summary>
    public static bool IsOwnedByGateway(string name)
    {
        // Cheap first look: every owned name starts with "X-"/"X_" or is "Forwarded".
        if (name.Length < 9 || ((name[0] | 0x20) != 'x' && (name[0] | 0x20) != 'f'))
        {
            return false;
        }

        foreach (var owned in Owned)
        {
            if (SameName(name, owned))
            {
                return true;
            }
        }

        if (name.Contains('_', StringComparison.Ordinal))
        {
            foreach (var forwarding in Forwarding)
            {
                if (SameName(name, forwarding))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Sets a header of the upstream request to a value made safe, replacing any other value.</summary>
    public static void Set(HttpHeaders headers, string name, string value)
    {
        headers.Remove(name);
        headers.TryAddWithoutValidation(name, Safe(value));
    }

    /// <summary>Sets the header when there is a value; otherwise makes sure the upstream gets none.</summary>
    public static void SetOrRemove(HttpHeaders headers, string name, string? value)
    {
        if (value is null)
        {
            headers.Remove(name);
        }
        else
        {
            Set(headers, name, value);
        }
    }

    /// <summary>The value as it may stand in a header (<see cref="PrintableText.Escape"/>: <c>josé</c> → <c>jos%C3%A9</c>).</summary>
    public static string Safe(string value) => PrintableText.Escape(value);

    /// <summary>Header names compared as servers compare them: case-insensitive, '_' the same as '-'.</summary>
    private static bool SameName(string name, string owned)
    {
        if (name.Length != owned.Length)
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var a = name[i] == '_' ? '-' : char.ToLowerInvariant(name[i]);
            if (a != char.ToLowerInvariant(owned[i]))
            {
                return false;
            }
        }

        return true;
    }
}
