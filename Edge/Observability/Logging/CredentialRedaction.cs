using System.Collections.Frozen;
using System.Text;
using Microsoft.AspNetCore.Http;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Observability.Logging;

/// <summary>
/// What logs and traces show of the credentials a client sent: the values of the usual credential headers and query
/// parameters, and of any other a plugin read a credential from (key-auth's <c>key_names</c>, jwt's
/// <c>uri_param_names</c>, oauth2's <c>auth_header_name</c>), are written as <c>REDACTED</c>. A log is not a place
/// for a secret, and a rejected guess is as sensitive as an accepted key.
/// </summary>
internal static class CredentialRedaction
{
    public const string Redacted = "REDACTED";

    // Header and query parameter names alike: a header named like a parameter (or the other way) is redacted too.
    private static readonly FrozenSet<string> UsualNames = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "authorization", "proxy-authorization", "cookie", "apikey", "x-api-key", "api_key", "access_token", "refresh_token", "jwt", "client_secret");

    /// <summary>A name redacted whatever the plugins read: a usual credential header or query parameter.</summary>
    public static bool IsUsualName(string name) => UsualNames.Contains(name);

    /// <summary>Whether the header or query parameter <paramref name="name"/> of this request carries a credential.</summary>
    public static bool IsCredential(string name, ProxyContext context) => UsualNames.Contains(name) || context.IsCredentialName(name);

    /// <summary>The query string (with its <c>?</c>, or empty) as sent, but with the credential parameters' values redacted.</summary>
    public static string Query(QueryString query, ProxyContext context)
    {
        var text = query.Value;
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        StringBuilder? redacted = null;
        var start = text[0] == '?' ? 1 : 0;
        var copied = 0;
        while (start <= text.Length)
        {
            var end = text.IndexOf('&', start);
            if (end < 0)
            {
                end = text.Length;
            }

            var equals = text.IndexOf('=', start, end - start);
            var name = text.AsSpan(start, (equals < 0 ? end : equals) - start);
            if (name.Length > 0 && IsCredential(Decode(name), context))
            {
                redacted ??= new StringBuilder(text.Length);
                redacted.Append(text, copied, start - copied).Append(name).Append('=').Append(Redacted);
                copied = end;
            }

            start = end + 1;
        }

        return redacted is null ? text : redacted.Append(text, copied, text.Length - copied).ToString();
    }

    private static string Decode(ReadOnlySpan<char> name) =>
        name.ContainsAny('%', '+') ? Uri.UnescapeDataString(name.ToString().Replace('+', ' ')) : name.ToString();
}
