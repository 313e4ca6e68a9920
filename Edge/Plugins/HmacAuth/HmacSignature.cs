using System.Security.Cryptography;
using System.Text;

namespace Turnpike.Edge.Plugins.HmacAuth;

/// <summary>
/// Kong's hmac-auth signing string and its check: for each header the client listed, <c>name: value</c> (the request's
/// first value), <c>@request-target</c> as <c>method path?query</c> in lower-case method, <c>request-line</c> as
/// <c>METHOD path?query HTTP/x.y</c>, and a header the request lacks as <c>name:</c>; lines joined by LF. The client's
/// base64 signature is compared in constant time.
/// </summary>
internal static class HmacSignature
{
    public static readonly string[] Algorithms = ["hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512"];

    public static string SigningString(IReadOnlyList<string> headers, Func<string, string?> headerValue, string method, string requestUri, string httpVersion)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < headers.Count; i++)
        {
            var name = headers[i];
            if (headerValue(name) is { } value)
            {
                builder.Append(name).Append(": ").Append(value);
            }
            else if (name == "@request-target")
            {
                builder.Append(name).Append(": ").Append(method.ToLowerInvariant()).Append(' ').Append(requestUri);
            }
            else if (name == "request-line")
            {
                builder.Append(method).Append(' ').Append(requestUri).Append(" HTTP/").Append(httpVersion);
            }
            else
            {
                builder.Append(name).Append(':');
            }

            if (i < headers.Count - 1)
            {
                builder.Append('\n');
            }
        }

        return builder.ToString();
    }

    public static byte[] Compute(string algorithm, string secret, string signingString)
    {
        var key = Encoding.UTF8.GetBytes(secret);
        var data = Encoding.UTF8.GetBytes(signingString);
        return algorithm switch
        {
#pragma warning disable CA5350 // Kong's clients sign with hmac-sha1 too; an admin removes it from `algorithms` to refuse it.
            "hmac-sha1" => HMACSHA1.HashData(key, data),
#pragma warning restore CA5350
            "hmac-sha256" => HMACSHA256.HashData(key, data),
            "hmac-sha384" => HMACSHA384.HashData(key, data),
            "hmac-sha512" => HMACSHA512.HashData(key, data),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };
    }

    /// <summary>True when <paramref name="base64Signature"/> is the HMAC of <paramref name="signingString"/>; a malformed signature is simply wrong.</summary>
    public static bool Matches(string algorithm, string secret, string signingString, string base64Signature)
    {
        var expected = Compute(algorithm, secret, signingString);
        Span<byte> given = stackalloc byte[64];
        return Convert.TryFromBase64String(base64Signature, given, out var length)
            && CryptographicOperations.FixedTimeEquals(expected, given[..length]);
    }
}
