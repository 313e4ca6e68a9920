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

    private static readonly FrozenSet<string> Headers =
        FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "authorization", "proxy-authorization", "cookie", "apikey", "x-api-key");

    private static readonly FrozenSet<string> Parameters =
        FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "apikey", "api_key", "access_token", "refresh_token", "jwt", "client_secret");

    public static bool IsCredentialHeader(string name, ProxyContext context) => Headers.Contains(name) || context.IsCredentialName(name);

    public static bool IsCredentialParameter(string name, ProxyContext context) => Parameters.Contains(name) || context.IsCredentialName(name);

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
            if (name.Length > 0 && IsCredentialParameter(Decode(name), context))
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
