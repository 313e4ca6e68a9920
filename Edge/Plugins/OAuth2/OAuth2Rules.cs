using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Turnpike.Edge.Plugins.OAuth2;

/// <summary>The oauth2 plugin's rules that need no request: scopes, PKCE, the redirect URI built, the credentials parsed.</summary>
internal static class OAuth2Rules
{
    /// <summary>
    /// Kong's <c>retrieve_scope</c>: the requested scopes (space-separated) must all be configured; none requested is an
    /// error only with <c>mandatory_scope</c>. Returns the scope to store (null: none) or an error.
    /// </summary>
    public static (string? Scope, OAuth2Error? Error) Scope(OAuth2Parameters parameters, string[]? configured, bool mandatory)
    {
        if (configured is not null && parameters.Has("scope"))
        {
            if (parameters["scope"] is not { } scope)
            {
                return (null, new("invalid_scope", "scope must be a string"));
            }

            var requested = scope.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            foreach (var one in requested)
            {
                if (!configured.Contains(one, StringComparer.Ordinal))
                {
                    return (null, new("invalid_scope", $"\"{one}\" is an invalid scope"));
                }
            }

            return (requested.Length > 0 ? string.Join(' ', requested) : null, null);
        }

        return !parameters.Has("scope") && mandatory ? (null, new("invalid_scope", "You must specify a scope")) : (null, null);
    }

    /// <summary>
    /// Kong's <c>retrieve_code_challenge</c>: a challenge (normalised to unpadded base64url) and its method, S256 only (Kong
    /// accepts no <c>plain</c>); a method without a challenge is an error.
    /// </summary>
    public static (string? Challenge, string? Method, string? Error) CodeChallenge(OAuth2Parameters parameters)
    {
        var challenge = parameters["code_challenge"];
        var method = parameters["code_challenge_method"];
        if (method is not null && challenge is null)
        {
            return (null, null, "code_challenge is required when code_method is present");
        }

        if (challenge is null)
        {
            return (null, null, null);
        }

        if (Base64UrlDecode(challenge) is { } decoded)
        {
            challenge = Base64UrlEncode(decoded);
        }

        if (method is not null && method != "S256")
        {
            if (method != "s256")
            {
                return (null, null, "code_challenge_method is not supported, must be S256");
            }
        }

        return (challenge, "S256", null);
    }

    /// <summary>Kong's <c>requires_pkce</c>: a code asked with a challenge, a public client unless <c>pkce: none</c>, any client with <c>strict</c>.</summary>
    public static bool RequiresPkce(string pkce, string clientType, bool codeHasChallenge) =>
        codeHasChallenge || (clientType == "public" && pkce != "none") || (clientType == "confidential" && pkce == "strict");

    /// <summary>Kong's <c>validate_pkce_verifier</c>: a verifier of 43 to 128 characters whose S256 is the code's challenge.</summary>
    public static OAuth2Error? PkceVerifier(string? verifier, string? challenge)
    {
        if (verifier is null)
        {
            return new("invalid_request", "code_verifier is required for PKCE authorization requests");
        }

        if (verifier.Length is < 43 or > 128)
        {
            return new("invalid_request", "code_verifier must be between 43 and 128 characters");
        }

        var expected = Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes(verifier)));
        return challenge is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.UTF8.GetBytes(challenge))
            ? null
            : new("invalid_grant", "Invalid code");
    }

    /// <summary>
    /// The registered redirect URI with the answer's parameters merged into its query (a code, an error) or, for the
    /// implicit grant, its fragment; keys sorted and percent-encoded as Kong's <c>encode_args</c> writes them, so nothing
    /// the client sent (a state, an error about its scope) can change the URI's shape.
    /// </summary>
    public static string RedirectWith(string registered, IEnumerable<KeyValuePair<string, string>> answer, bool inFragment)
    {
        var hash = registered.IndexOf('#');
        var withoutFragment = hash < 0 ? registered : registered[..hash];
        var fragment = hash < 0 ? "" : registered[(hash + 1)..];
        var question = withoutFragment.IndexOf('?');
        var baseUri = question < 0 ? withoutFragment : withoutFragment[..question];
        var query = question < 0 ? "" : withoutFragment[(question + 1)..];

        var merged = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in QueryHelpers.ParseQuery(inFragment ? fragment : query))
        {
            merged[key] = values.ToString();
        }

        foreach (var (key, value) in answer)
        {
            merged[key] = value;
        }

        var encoded = string.Join('&', merged.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        return inFragment
            ? baseUri + (query.Length > 0 ? "?" + query : "") + "#" + encoded
            : baseUri + "?" + encoded + (fragment.Length > 0 ? "#" + fragment : "");
    }

    /// <summary>
    /// The client id and secret of a <c>Basic</c> header (Kong's <c>\s*[Bb]asic\s*(.+)</c>, split at the first colon);
    /// null when the header is not one.
    /// </summary>
    public static (string ClientId, string? Secret)? BasicCredentials(string header)
    {
        var text = header.AsSpan().TrimStart();
        if (text.Length < 5 || !(text[0] is 'B' or 'b') || !text[1..5].SequenceEqual("asic"))
        {
            return null;
        }

        var encoded = text[5..].Trim().ToString();
        var buffer = new byte[encoded.Length];
        if (encoded.Length == 0 || !Convert.TryFromBase64String(encoded, buffer, out var written))
        {
            return null;
        }

        var decoded = Encoding.UTF8.GetString(buffer, 0, written);
        var colon = decoded.IndexOf(':');
        return colon < 0 ? (decoded, null) : (decoded[..colon], decoded[(colon + 1)..]);
    }

    /// <summary>
    /// The access token of an <c>Authorization</c>-style header as Kong reads it: <c>Bearer x</c> or <c>Token x</c> gives x;
    /// anything else is taken whole.
    /// </summary>
    public static string? BearerToken(string header)
    {
        var parts = header.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return parts is [var scheme, var token] && (scheme.Equals("bearer", StringComparison.OrdinalIgnoreCase) || scheme.Equals("token", StringComparison.OrdinalIgnoreCase))
            ? token
            : header;
    }

    /// <summary>Kong's <c>WWW-Authenticate</c> for a refused access: <c>Bearer</c> with the realm and error when there are some.</summary>
    public static string WwwAuthenticate(string? realm, string? error = null, string? description = null)
    {
        List<string> parameters = [];
        if (realm is { Length: > 0 })
        {
            parameters.Add($"realm=\"{realm}\"");
        }

        if (error is not null)
        {
            parameters.Add($"error=\"{error}\"");
        }

        if (description is not null)
        {
            parameters.Add($"error_description=\"{description}\"");
        }

        return parameters.Count == 0 ? "Bearer" : "Bearer " + string.Join(", ", parameters);
    }

    public static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? Base64UrlDecode(string text)
    {
        var standard = text.Replace('-', '+').Replace('_', '/');
        standard = standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '=');
        var buffer = new byte[standard.Length];
        return Convert.TryFromBase64String(standard, buffer, out var written) ? buffer[..written] : null;
    }
}

/// <summary>An OAuth 2.0 error answer (RFC 6749 5.2): Kong's <c>error</c> and <c>error_description</c>.</summary>
internal sealed record OAuth2Error(string Error, string Description);
