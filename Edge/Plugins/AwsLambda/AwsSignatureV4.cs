using System.Security.Cryptography;
using System.Text;

namespace Turnpike.Edge.Plugins.AwsLambda;

/// <summary>
/// AWS Signature Version 4 (<c>AWS4-HMAC-SHA256</c>): the canonical request, the string to sign and the
/// <c>Authorization</c> header, as AWS's published test suite defines them. Pure apart from the signing key,
/// which <see cref="AwsSigningKeys"/> derives once per day, region, service and secret.
/// </summary>
internal sealed class AwsSignatureV4(AwsSigningKeys keys)
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>
    /// Signs a request. <paramref name="path"/> and <paramref name="query"/> are as on the wire (the query without
    /// <c>?</c>); every header in <paramref name="headers"/> is signed (Host and X-Amz-Date included by the caller).
    /// </summary>
    public AwsSignature Sign(
        string method, string path, string query, IReadOnlyList<(string Name, string Value)> headers, ReadOnlySpan<byte> payload,
        AwsCredentials credentials, string region, string service, DateTimeOffset now)
    {
        var amzDate = AmzDate(now);
        var date = amzDate[..8];
        var (canonicalHeaders, signedHeaders) = CanonicalHeaders(headers);
        var canonicalRequest = CanonicalRequest(method, path, query, canonicalHeaders, signedHeaders, Hex(SHA256.HashData(payload)));
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var signature = Hex(HMACSHA256.HashData(keys.For(credentials.SecretAccessKey, date, region, service), Encoding.UTF8.GetBytes(stringToSign)));
        var authorization = $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        return new AwsSignature(canonicalRequest, stringToSign, authorization, signature);
    }

    /// <summary>The <c>X-Amz-Date</c> form of a time: <c>20150830T123600Z</c>.</summary>
    public static string AmzDate(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The signing key: HMAC-SHA256 chained over the date, region, service and <c>aws4_request</c>, from <c>AWS4</c> + secret.</summary>
    public static byte[] DeriveKey(string secret, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    public static string CanonicalRequest(string method, string path, string query, string canonicalHeaders, string signedHeaders, string payloadHash) =>
        $"{method}\n{CanonicalUri(path)}\n{CanonicalQuery(query)}\n{canonicalHeaders}\n{signedHeaders}\n{payloadHash}";

    /// <summary>
    /// Each path segment URI-encoded (RFC 3986 unreserved characters kept). The path is the wire form, so an escape
    /// in it is encoded again: AWS's rule that services other than S3 sign the path encoded twice.
    /// </summary>
    public static string CanonicalUri(string path)
    {
        if (path.Length == 0)
        {
            return "/";
        }

        var builder = new StringBuilder(path.Length + 16);
        var segments = path.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            if (i > 0)
            {
                builder.Append('/');
            }

            Encode(builder, segments[i]);
        }

        return builder.ToString();
    }

    /// <summary>Parameters decoded, encoded again the one AWS way, sorted by name then value; a name without <c>=</c> has an empty value.</summary>
    public static string CanonicalQuery(string query)
    {
        if (query.Length == 0)
        {
            return "";
        }

        var parameters = new List<(string Name, string Value)>();
        foreach (var part in query.Split('&'))
        {
            if (part.Length == 0)
            {
                continue;
            }

            var equals = part.IndexOf('=');
            var name = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? "" : part[(equals + 1)..];
            parameters.Add((Encode(Uri.UnescapeDataString(name)), Encode(Uri.UnescapeDataString(value))));
        }

        parameters.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name) is var byName and not 0 ? byName : string.CompareOrdinal(a.Value, b.Value));
        return string.Join('&', parameters.Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>
    /// Names lower-cased and sorted, values trimmed with inner runs of spaces made one, repeated names joined by commas
    /// in the order given; and the <c>SignedHeaders</c> list.
    /// </summary>
    public static (string Canonical, string Signed) CanonicalHeaders(IReadOnlyList<(string Name, string Value)> headers)
    {
        var byName = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            var key = name.ToLowerInvariant();
            if (!byName.TryGetValue(key, out var values))
            {
                byName[key] = values = [];
            }

            values.Add(CollapseSpaces(value));
        }

        var canonical = new StringBuilder();
        foreach (var (name, values) in byName)
        {
            canonical.Append(name).Append(':').AppendJoin(',', values).Append('\n');
        }

        return (canonical.ToString(), string.Join(';', byName.Keys));
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static string CollapseSpaces(string value)
    {
        var trimmed = value.Trim();
        if (!trimmed.Contains("  ", StringComparison.Ordinal))
        {
            return trimmed;
        }

        var builder = new StringBuilder(trimmed.Length);
        foreach (var c in trimmed)
        {
            if (c != ' ' || builder.Length == 0 || builder[^1] != ' ')
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static string Encode(string text)
    {
        var builder = new StringBuilder(text.Length + 8);
        Encode(builder, text);
        return builder.ToString();
    }

    private static void Encode(StringBuilder builder, string text)
    {
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                builder.Append(c);
                continue;
            }

            // A surrogate pair is one code point; a lone surrogate is encoded as U+FFFD, as UTF-8 encoders do.
            var length = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])
                ? Encoding.UTF8.GetBytes(text.AsSpan(i++, 2), utf8)
                : Encoding.UTF8.GetBytes(text.AsSpan(i, 1), utf8);
            foreach (var b in utf8[..length])
            {
                builder.Append('%').Append(HexUpper[b >> 4]).Append(HexUpper[b & 0xF]);
            }
        }
    }

    private const string HexUpper = "0123456789ABCDEF";
}

/// <summary>A signed request's parts: the <c>Authorization</c> header, and the intermediate texts the test suite checks.</summary>
internal sealed record AwsSignature(string CanonicalRequest, string StringToSign, string Authorization, string Signature);
